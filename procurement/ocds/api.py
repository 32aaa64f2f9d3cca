"""(to be built)"""

urlpatterns: list = []
