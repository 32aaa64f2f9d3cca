from procurement.api import views

urlpatterns = [*views.urlpatterns]
