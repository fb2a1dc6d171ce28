//! 工作日历 in the console: the public holidays and make-up working days as the editable text
//! `domain::calendar::WorkCalendar::parse` reads ("YYYY-MM-DD,放假|上班[,name]" a line), saved
//! whole or not at all (every bad line is reported, nothing is changed), and this month and the
//! next drawn as calendars so that staff can see what they typed.

mod month;
pub mod pages;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/calendar", get(pages::page).post(pages::save))
}
