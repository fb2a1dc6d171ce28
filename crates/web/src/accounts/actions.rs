//! What a person can do with an account, once, for both faces: the pages and the JSON API call
//! these and only render differently.

use chrono::{Duration, Utc};
use domain::accounts::{Identity, LoginIdentifier};
use domain::identity::{
    CodePurpose, Email, IdNumber, NewPassword, Phone, RealName, SmsCode, retry_after_text,
};
use integrations::sms::SmsMessage;
use store::accounts::{Account, NewAccount, RegisterError};
use store::sms_codes::{CodeRequest, SendRefused, VerifyError};

use crate::error::{AppError, FieldError};
use crate::session::Session;
use crate::state::AppState;

/// How long after verifying the phone the candidate may finish step 2 of sign-up.
const SIGNUP_STEP_WINDOW_MINUTES: i64 = 30;

pub fn parse_phone(raw: &str) -> Result<Phone, AppError> {
    Phone::parse(raw).map_err(|e| AppError::field("phone", e.code(), e.to_string()))
}

fn parse_code(raw: &str) -> Result<SmsCode, AppError> {
    SmsCode::parse(raw).map_err(|e| AppError::field("code", e.code(), e.to_string()))
}

/// Sends a verification code. For sign-up a registered phone is refused (the candidate should
/// log in); for a reset an unregistered phone gets the same answer as a registered one, and no
/// SMS, so that the reset form does not tell who has an account.
pub async fn send_code(
    state: &AppState,
    phone_raw: &str,
    purpose: CodePurpose,
    client_address: &str,
) -> Result<(), AppError> {
    let phone = parse_phone(phone_raw)?;
    let registered = store::accounts::phone_registered(&state.db, &state.pii, &phone).await?;
    if purpose == CodePurpose::SignUp && registered {
        return Err(AppError::conflict(
            "phone",
            "phone_taken",
            "该手机号已注册，请直接登录；忘记密码可通过短信找回",
        ));
    }
    let code = SmsCode::generate(&mut rand::rng());
    let settings = &state.settings;
    let issued = store::sms_codes::issue(
        &state.db,
        &state.pii,
        CodeRequest {
            phone: &phone,
            purpose,
            code: &code,
            client_address,
        },
        &settings.send_limits,
        &settings.code_policy,
        Utc::now(),
    )
    .await?;
    match issued {
        Ok(_) => {}
        Err(SendRefused::Phone(wait)) => {
            return Err(AppError::too_many(
                "sms_phone_limited",
                format!("验证码发送过于频繁，{}", retry_after_text(wait.0)),
                wait.0,
            ));
        }
        Err(SendRefused::Address(wait)) => {
            return Err(AppError::too_many(
                "sms_address_limited",
                format!("当前网络发送验证码过多，{}", retry_after_text(wait.0)),
                wait.0,
            ));
        }
    }
    if purpose == CodePurpose::ResetPassword && !registered {
        return Ok(());
    }
    let mut params = serde_json::Map::new();
    params.insert("code".into(), code.as_str().into());
    let message = SmsMessage {
        phone,
        template: purpose.template().to_owned(),
        params,
        text: purpose.text(&code),
        dedupe_key: None,
    };
    state.sms.send(&message).await.map_err(|e| {
        tracing::warn!(error = %e, "SMS not sent");
        AppError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            "sms_unavailable",
            "短信发送失败，请稍后重试",
        )
    })
}

fn verify_error(e: VerifyError) -> AppError {
    match e {
        VerifyError::NoLiveCode => {
            AppError::field("code", "code_expired", "验证码已失效，请重新获取")
        }
        VerifyError::TooManyAttempts => AppError::field(
            "code",
            "code_attempts_exhausted",
            "验证码错误次数过多，请重新获取",
        ),
        VerifyError::Wrong { tries_left } => AppError::field(
            "code",
            "code_wrong",
            format!("验证码不正确，还可以再试 {tries_left} 次"),
        ),
    }
}

/// Step 1 of sign-up: the phone is proven; the session remembers it for step 2.
pub async fn verify_signup_phone(
    state: &AppState,
    session: &Session,
    phone_raw: &str,
    code_raw: &str,
) -> Result<(), AppError> {
    let phone = parse_phone(phone_raw)?;
    let code = parse_code(code_raw)?;
    let code_id = store::sms_codes::verify(
        &state.db,
        &state.pii,
        &phone,
        CodePurpose::SignUp,
        &code,
        &state.settings.code_policy,
        Utc::now(),
    )
    .await?
    .map_err(verify_error)?;
    // Only after the code: without it, this step must not tell a stranger (at any speed, since
    // it sends no SMS and is not rate-limited) which phone numbers have an account.
    if store::accounts::phone_registered(&state.db, &state.pii, &phone).await? {
        return Err(AppError::conflict(
            "phone",
            "phone_taken",
            "该手机号已注册，请直接登录",
        ));
    }
    let mut data = session.data();
    data.signup_code_id = Some(code_id);
    session.save_data(&data).await
}

/// The phone verified in step 1, if the session is still within the step window.
pub async fn signup_phone(state: &AppState, session: &Session) -> Result<Option<Phone>, AppError> {
    let Some(code_id) = session.data().signup_code_id else {
        return Ok(None);
    };
    Ok(store::sms_codes::verified_phone(
        &state.db,
        &state.pii,
        code_id,
        CodePurpose::SignUp,
        Duration::minutes(SIGNUP_STEP_WINDOW_MINUTES),
        Utc::now(),
    )
    .await?)
}

/// Step 2 of sign-up, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SignupDetails {
    pub password: String,
    /// Must equal `password` on the page; API clients may omit it.
    #[serde(default)]
    pub password_confirm: Option<String>,
    #[serde(default)]
    pub email: String,
    pub real_name: String,
    pub id_number: String,
    /// `student`, `teacher` or `worker`.
    #[serde(default)]
    pub identity: String,
}

/// Step 2 of sign-up: creates the account and logs the candidate in. Every field is checked, and
/// every mistake is reported at once.
pub async fn complete_signup(
    state: &AppState,
    session: &Session,
    details: &SignupDetails,
) -> Result<Account, AppError> {
    let Some(phone) = signup_phone(state, session).await? else {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "signup_phone_unverified",
            "手机号验证已过期，请重新验证手机号",
        ));
    };
    let mut errors = Vec::new();
    let mut push = |field: &str, code: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        })
    };
    let today = Utc::now()
        .with_timezone(&domain::time::shanghai())
        .date_naive();
    let id_number = IdNumber::parse_on(&details.id_number, today)
        .map_err(|e| push("id_number", e.code(), e.to_string()))
        .ok();
    let personal: Vec<&str> = [
        Some(phone.as_str()),
        id_number.as_ref().map(IdNumber::as_str),
    ]
    .into_iter()
    .flatten()
    .collect();
    let password = NewPassword::parse(&details.password, &personal)
        .map_err(|e| push("password", e.code(), e.to_string()))
        .ok();
    if let Some(confirm) = &details.password_confirm
        && confirm != &details.password
    {
        push(
            "password_confirm",
            "password_mismatch",
            "两次输入的密码不一致".into(),
        );
    }
    let email = if details.email.trim().is_empty() {
        None
    } else {
        Email::parse(&details.email)
            .map_err(|e| push("email", e.code(), e.to_string()))
            .ok()
    };
    let real_name = RealName::parse(&details.real_name)
        .map_err(|e| push("real_name", e.code(), e.to_string()))
        .ok();
    let identity = Identity::parse(details.identity.trim());
    if identity.is_none() {
        push("identity", "identity_required", "请选择用户角色".into());
    }
    let (Some(id_number), Some(password), Some(real_name), Some(identity), true) =
        (id_number, password, real_name, identity, errors.is_empty())
    else {
        return Err(AppError::fields(errors));
    };
    let password_hash = store::passwords::hash(password.into_inner()).await?;
    let registered = store::accounts::register(
        &state.db,
        &state.pii,
        NewAccount {
            phone,
            password_hash,
            email,
            real_name,
            id_number,
            identity,
        },
        Utc::now(),
    )
    .await?;
    let account_id = match registered {
        Ok(id) => id,
        Err(RegisterError::PhoneTaken) => {
            return Err(AppError::conflict(
                "phone",
                "phone_taken",
                "该手机号已注册，请直接登录",
            ));
        }
        Err(RegisterError::IdNumberTaken) => {
            return Err(AppError::conflict(
                "id_number",
                "id_number_taken",
                "该身份证号已注册，请用原账号登录；如非本人注册，请联系我们",
            ));
        }
    };
    let account = store::accounts::get(&state.db, &state.pii, account_id)
        .await?
        .ok_or_else(|| AppError::internal("new account vanished"))?;
    session.log_in(account.clone()).await?;
    Ok(account)
}

/// Logs in with a phone number, ID number or (staff) login name. Failures are counted per account
/// and per address; past the limit the answer is "try later", whatever the password.
pub async fn log_in(
    state: &AppState,
    session: &Session,
    identifier_raw: &str,
    password: &str,
    client_address: &str,
) -> Result<Account, AppError> {
    // The same answer for an unknown account and a wrong password.
    let wrong = || AppError {
        code: "login_failed",
        ..AppError::field("password", "login_failed", "账号或密码不正确")
    };
    let identifier = LoginIdentifier::parse(identifier_raw)
        .map_err(|e| AppError::field("identifier", e.code(), e.to_string()))?;
    let found = store::accounts::find_for_login(&state.db, &state.pii, &identifier).await?;
    let throttle = &state.settings.login_throttle;
    let now = Utc::now();
    let too_many = |wait: store::rate_limits::RetryAfter| {
        AppError::too_many(
            "login_throttled",
            format!("登录失败次数过多，{}", retry_after_text(wait.0)),
            wait.0,
        )
    };
    // Per account, every attempt takes a slot atomically (parallel guesses cannot slip past the
    // limit) and a success gives them all back. Per address only failures count, so that a
    // classroom behind one address can all log in at once.
    let account_bucket = found
        .as_ref()
        .map(|(a, _)| store::accounts::login_bucket(a.id));
    if let Some(bucket) = &account_bucket {
        store::rate_limits::try_acquire_in_own_transaction(
            &state.db,
            bucket,
            &[throttle.per_account],
            now,
        )
        .await
        .map_err(store::StoreError::from)?
        .map_err(too_many)?;
    }
    let address_bucket = format!("login:address:{client_address}");
    store::rate_limits::check(
        state.db.reader(),
        &address_bucket,
        &[throttle.per_address],
        now,
    )
    .await
    .map_err(store::StoreError::from)?
    .map_err(too_many)?;
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), Some(hash)),
        None => (None, None),
    };
    let ok = store::passwords::verify(password.to_owned(), hash).await?;
    match (ok, account, account_bucket) {
        // Said only once the password matched, so that guessing learns nothing of the account.
        (true, Some(account), _) if account.disabled => Err(AppError::forbidden(
            "account_disabled",
            "该账号已停用，请联系系统管理员",
        )),
        (true, Some(account), Some(bucket)) => {
            store::rate_limits::clear(state.db.writer(), &bucket)
                .await
                .map_err(store::StoreError::from)?;
            session.log_in(account.clone()).await?;
            Ok(account)
        }
        _ => {
            store::rate_limits::record(state.db.writer(), &address_bucket, now)
                .await
                .map_err(store::StoreError::from)?;
            Err(wrong())
        }
    }
}

/// A forgotten password, reset with an SMS code. Ends every session of the account.
pub async fn reset_password(
    state: &AppState,
    phone_raw: &str,
    code_raw: &str,
    new_password: &str,
    confirm: Option<&str>,
) -> Result<(), AppError> {
    let phone = parse_phone(phone_raw)?;
    let code = parse_code(code_raw)?;
    let mut errors = Vec::new();
    let password = match NewPassword::parse(new_password, &[phone.as_str()]) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(FieldError {
                field: "password".into(),
                code: e.code().into(),
                message: e.to_string(),
            });
            None
        }
    };
    if confirm.is_some_and(|c| c != new_password) {
        errors.push(FieldError {
            field: "password_confirm".into(),
            code: "password_mismatch".into(),
            message: "两次输入的密码不一致".into(),
        });
    }
    let (Some(password), true) = (password, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    store::sms_codes::verify(
        &state.db,
        &state.pii,
        &phone,
        CodePurpose::ResetPassword,
        &code,
        &state.settings.code_policy,
        Utc::now(),
    )
    .await?
    .map_err(verify_error)?;
    // A verified code for a phone without an account: the code was never sent, so this cannot
    // happen through the SMS; answer as for a wrong code.
    let Some(account_id) = store::accounts::find_id_by_phone(&state.db, &state.pii, &phone).await?
    else {
        return Err(verify_error(VerifyError::NoLiveCode));
    };
    let hash = store::passwords::hash(password.into_inner()).await?;
    store::accounts::reset_password(&state.db, account_id, hash, Utc::now()).await?;
    Ok(())
}
