from django.urls import path

from accounts.ratelimit import rate_limited

from ..views import booking

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
]
