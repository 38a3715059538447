from django.urls import path

from brightline.web.views import (
    administration,
    casework_pages,
    family,
    language,
    office,
    portal,
    public,
    review,
    school,
)

app_name = "web"
urlpatterns = [
    path("", public.home, name="home"),
    path("policy/", public.policy, name="policy"),
    path("verify/", public.verify, name="verify"),
    # Requester portal
    path("portal/", portal.portal, name="portal"),
    path("portal/requests/new/", portal.portal_new, name="portal_new"),
    path("portal/requests/<uuid:request_id>/", portal.portal_request, name="portal_request"),
    path("portal/requests/<uuid:request_id>/letter.pdf", portal.portal_letter, name="portal_letter"),
    path("office/requests/<uuid:request_id>/letter.pdf", office.office_letter, name="office_letter"),
    path(
        "portal/requests/<uuid:request_id>/releases/<uuid:packet_id>/acknowledge",
        portal.portal_acknowledge,
        name="portal_acknowledge",
    ),
    path(
        "portal/requests/<uuid:request_id>/releases/<uuid:packet_id>/download",
        portal.portal_download,
        name="portal_download",
    ),
    # Records office
    path("office/", office.office, name="office"),
    path("office/requests/new/", office.office_new, name="office_new"),
    path("office/requests/<uuid:request_id>/", office.office_request, name="office_request"),
    path(
        "office/requests/<uuid:request_id>/students/<int:request_student_id>/match",
        office.office_match,
        name="office_match",
    ),
    path("office/requests/<uuid:request_id>/release", office.office_release, name="office_release"),
    path(
        "office/requests/<uuid:request_id>/students/<int:request_student_id>/close",
        office.office_close_student,
        name="office_close_student",
    ),
    path(
        "office/requests/<uuid:request_id>/students/<int:request_student_id>/answer",
        office.office_answer_send,
        name="office_answer_send",
    ),
    path(
        "requests/<uuid:request_id>/students/<int:request_student_id>/emergency",
        office.emergency_determine_page,
        name="emergency_determine",
    ),
    path("office/agencies/", office.office_agencies, name="office_agencies"),
    path("office/agencies/<int:agency_id>/verify", office.office_agency_verify, name="office_agency_verify"),
    path("office/letters/", office.office_letters, name="office_letters"),
    path("office/letters/<int:notice_id>/mailed", office.office_letter_mailed, name="office_letter_mailed"),
    # The conversation on a request, its deadline, owner and notes; finding requests
    path("portal/requests/<uuid:request_id>/messages", casework_pages.portal_message, name="portal_message"),
    path("office/requests/<uuid:request_id>/messages", casework_pages.office_message, name="office_message"),
    path("office/requests/<uuid:request_id>/extend", casework_pages.office_extend, name="office_extend"),
    path("office/requests/<uuid:request_id>/resume", casework_pages.office_resume, name="office_resume"),
    path("office/requests/<uuid:request_id>/pause", casework_pages.office_pause, name="office_pause"),
    path("office/requests/<uuid:request_id>/owner", casework_pages.office_assign, name="office_assign"),
    path("requests/<uuid:request_id>/notes", casework_pages.staff_note, name="staff_note"),
    path("office/search/", casework_pages.office_search, name="office_search"),
    path(
        "portal/requests/<uuid:request_id>/letters/<slug:kind>.pdf",
        casework_pages.portal_letter_kind,
        name="portal_letter_kind",
    ),
    path(
        "office/requests/<uuid:request_id>/letters/<slug:kind>.pdf",
        casework_pages.office_letter_kind,
        name="office_letter_kind",
    ),
    path("portal/preservations/", casework_pages.portal_preservations, name="portal_preservations"),
    path(
        "portal/preservations/<uuid:preservation_id>/extend",
        casework_pages.portal_preservation_extend,
        name="portal_preservation_extend",
    ),
    path("office/preservations/", casework_pages.office_preservations, name="office_preservations"),
    path(
        "office/preservations/<uuid:preservation_id>/followed",
        casework_pages.office_preservation_followed,
        name="office_preservation_followed",
    ),
    path(
        "office/requests/<uuid:request_id>/release/preview",
        casework_pages.office_release_preview,
        name="office_release_preview",
    ),
    path(
        "office/requests/<uuid:request_id>/release/confirm",
        casework_pages.office_release_confirm,
        name="office_release_confirm",
    ),
    path(
        "portal/requests/<uuid:request_id>/reconsider",
        casework_pages.portal_reconsider,
        name="portal_reconsider",
    ),
    path(
        "review/reconsiderations/<int:reconsideration_id>/",
        casework_pages.review_reconsideration,
        name="review_reconsideration",
    ),
    # Review queue
    path("review/", review.review, name="review"),
    path("review/requests/<uuid:request_id>/", review.review_request, name="review_request"),
    path(
        "review/counsel-notices/<int:counsel_notice_id>/read",
        review.review_counsel_notice_read,
        name="review_counsel_notice_read",
    ),
    path(
        "review/requests/<uuid:request_id>/items/<int:item_id>/decide",
        review.review_decide,
        name="review_decide",
    ),
    path(
        "requests/<uuid:request_id>/documents/<int:document_id>",
        review.staff_document,
        name="staff_document",
    ),
    # Administrator: settings, and whether families are told (family_notice_by_administrator)
    path("administration/settings/", administration.admin_settings, name="admin_settings"),
    path(
        "administration/emails/<int:email_id>/send-again",
        administration.admin_email_retry,
        name="admin_email_retry",
    ),
    path(
        "administration/family-notices/",
        administration.family_notice_decisions,
        name="family_notice_decisions",
    ),
    path(
        "administration/family-notices/<int:decision_id>/decide",
        administration.family_notice_decide,
        name="family_notice_decide",
    ),
    # Non-disclosure orders (counsel and the administrator): their terms, and revealing entries early
    path(
        "administration/nondisclosure-orders/",
        administration.nondisclosure_orders,
        name="nondisclosure_orders",
    ),
    path(
        "administration/nondisclosure-orders/<uuid:request_id>/terms",
        administration.nondisclosure_order_terms,
        name="nondisclosure_order_terms",
    ),
    path(
        "administration/nondisclosure-orders/<uuid:request_id>/reveal",
        administration.nondisclosure_order_reveal,
        name="nondisclosure_order_reveal",
    ),
    # School staff
    path("school/record/", school.school_record, name="school_record"),
    # Families
    path("family/", family.family, name="family"),
    path(
        "family/notices/<int:notice_id>/letter.pdf", family.family_notice_letter, name="family_notice_letter"
    ),
    path("language/", language.language, name="language"),
    path("family/notice-language", family.family_notice_language, name="family_notice_language"),
    path("family/students/<int:student_pk>/copy", family.family_record_copy, name="family_record_copy"),
    path(
        "family/students/<int:student_pk>/requests/<uuid:request_id>/object",
        family.family_object,
        name="family_object",
    ),
]
