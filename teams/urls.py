from django.urls import path

from teams import added_seat_views, claim_views, seat_views

app_name = "teams"

# Under /purchases/ beside access's pages: the buyer signs in there (access.sessions) and manages seats here.
urlpatterns = [
    path("purchases/orders/<str:reference>/seats/", seat_views.seat_manager, name="seats"),
    path("purchases/orders/<str:reference>/seats.csv", seat_views.seats_csv, name="seats_csv"),
    # The one view that accepts a file part (a CSV of people, at most seat_lists.MAX_SEAT_LIST_FILE_BYTES).
    path(
        "purchases/orders/<str:reference>/seats/upload/", seat_views.seat_list_upload, name="seat_list_upload"
    ),
    path(
        "purchases/orders/<str:reference>/seats/assign/", seat_views.assign_seat_list, name="assign_seat_list"
    ),
    path("purchases/orders/<str:reference>/seats/remind/", seat_views.remind_holders, name="remind_holders"),
    path("purchases/orders/<str:reference>/seats/add/", added_seat_views.add_seats, name="add_seats"),
    path("purchases/seats/<str:grant_token>/", seat_views.assign_seat, name="assign_seat"),
    path("purchases/seats/<str:grant_token>/reassign/", seat_views.reassign_seat, name="reassign_seat"),
    path("purchases/seats/<str:grant_token>/claim-link/", seat_views.take_claim_link, name="take_claim_link"),
    path(
        "purchases/seats/<str:grant_token>/resend/",
        seat_views.resend_access_email,
        name="resend_access_email",
    ),
    path("purchases/seats/<str:grant_token>/nudge/", seat_views.nudge_holder, name="nudge_holder"),
    path("purchases/claim/<str:token>/", claim_views.claim_seat, name="claim_seat"),
]
