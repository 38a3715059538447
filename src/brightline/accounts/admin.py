from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from brightline.accounts.models import User


@admin.register(User)
class BrightLineUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("District role", {"fields": ("role", "position", "preferred_language")}),
    )
