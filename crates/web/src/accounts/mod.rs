//! Accounts: sign-up in three steps (phone and SMS code; password, email, real name, ID number,
//! role; done), log in and out, reset a forgotten password by SMS, and the account page.

pub mod actions;
pub mod api;
pub(crate) mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(pages::signup_phone_page))
        .route("/signup/code", post(pages::signup_send_code))
        .route("/signup/verify", post(pages::signup_verify))
        .route(
            "/signup/details",
            get(pages::signup_details_page).post(pages::signup_details_submit),
        )
        .route("/signup/done", get(pages::signup_done_page))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route(
            "/password/reset",
            get(pages::reset_page).post(pages::reset_submit),
        )
        .route("/password/reset/code", post(pages::reset_send_code))
        .route("/me", get(pages::me_page))
}
