from django.contrib import admin

from brightline.roster.models import DataField, Guardian, GuardianRelationship, School, Student


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "identifier", "sourced_id", "status")
    list_filter = ("status",)
    search_fields = ("name", "identifier", "sourced_id")


class GuardianRelationshipInline(admin.TabularInline):
    model = GuardianRelationship
    extra = 0
    raw_id_fields = ("guardian", "student")


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = (
        "sis_id",
        "last_name",
        "first_name",
        "birth_date",
        "grade",
        "school",
        "directory_opt_out",
        "foster_care",
        "missing_child_flag",
        "adjudicated",
        "status",
    )
    list_filter = (
        "school",
        "grade",
        "status",
        "directory_opt_out",
        "foster_care",
        "missing_child_flag",
        "adjudicated",
    )
    search_fields = ("sis_id", "sourced_id", "last_name", "first_name", "last_name_key")
    raw_id_fields = ("user",)
    list_select_related = ("school",)
    inlines = (GuardianRelationshipInline,)


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "preferred_language", "email", "phone", "user", "status")
    list_filter = ("preferred_language", "status")
    search_fields = ("last_name", "first_name", "email", "phone", "sourced_id")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    inlines = (GuardianRelationshipInline,)


@admin.register(GuardianRelationship)
class GuardianRelationshipAdmin(admin.ModelAdmin):
    list_display = ("student", "guardian", "relationship", "has_notice_rights", "is_custodial")
    list_filter = ("relationship", "has_notice_rights", "is_custodial")
    search_fields = ("student__sis_id", "student__last_name", "guardian__last_name", "guardian__email")
    raw_id_fields = ("student", "guardian")
    list_select_related = ("student", "guardian")


@admin.register(DataField)
class DataFieldAdmin(admin.ModelAdmin):
    list_display = ("category", "field_name", "label")
    list_filter = ("category",)
    search_fields = ("field_name", "label", "description")
