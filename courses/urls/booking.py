from django.urls import path

from accounts.ratelimit import rate_limited

from ..views import booking, delegates

urlpatterns = [
    path("sessions/<int:pk>", booking.session_page, name="session"),
    path("sessions/<int:pk>/book", booking.book, name="book"),
    path("bookings/<int:pk>", booking.booking_page, name="booking"),
    path("bookings/<int:pk>/calendar.ics", booking.booking_calendar, name="booking-calendar"),
    path("bookings/<int:pk>/cancel", booking.cancel_booking, name="cancel-booking"),
    path("bookings/<int:pk>/accept", booking.accept_offer, name="accept-offer"),
    path("approve/<str:token>", rate_limited("approval-link")(booking.approval), name="approval"),
    path("approvals", booking.approvals, name="approvals"),
    path("manage/sessions/<int:pk>/register", booking.register, name="register"),
    path("manage/sessions/<int:pk>/messages", delegates.session_messages, name="session-messages"),
    path("manage/sessions/<int:pk>/sign-in-sheet", delegates.sign_in_sheet, name="sign-in-sheet"),
    path("manage/sessions/<int:pk>/sign-in-sheet.pdf", delegates.sign_in_sheet_pdf, name="sign-in-sheet-pdf"),
    path("manage/sessions/<int:pk>/register/close", booking.close_register, name="register-close"),
    path("manage/sessions/<int:pk>/register/reopen", booking.reopen_register, name="register-reopen"),
]
