"""API: MYPE set-aside quota figures. (To be filled.)"""

urlpatterns: list = []
