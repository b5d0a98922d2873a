//! What an island sends to a server function and keeps of the answer, for
//! the forms whose answer is shown (a link to pass on, recovery codes, a
//! checklist). Like `PostForm` it posts the fields as the browser would and
//! reads JSON back, so the browser carries no code to encode each server
//! function's arguments: only the decoding of the answers it shows.

use crate::error::AppError;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// The last answer of one server function, and whether one is awaited.
pub struct Sent<T: Send + Sync + 'static> {
    answer: RwSignal<Option<Result<T, AppError>>>,
    pending: RwSignal<bool>,
    /// Counts answers, so a list can be read again after each one.
    version: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Sent<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Sent<T> {}

impl<T> Sent<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    pub fn new() -> Self {
        Self {
            answer: RwSignal::new(None),
            pending: RwSignal::new(false),
            version: RwSignal::new(0),
        }
    }

    pub fn pending(&self) -> bool {
        self.pending.get()
    }

    pub fn version(&self) -> u32 {
        self.version.get()
    }

    /// The last answer.
    pub fn answer(&self) -> Option<Result<T, AppError>> {
        self.answer.get()
    }

    /// The answer, if the last one succeeded.
    pub fn ok(&self) -> Option<T> {
        self.answer.get().and_then(Result::ok)
    }

    pub fn error(&self) -> Signal<Option<AppError>> {
        let answer = self.answer;
        Signal::derive(move || answer.get().and_then(Result::err))
    }

    /// A submit handler: sends the form's fields to `action`.
    pub fn on_submit(
        self,
        action: String,
        form: NodeRef<leptos::html::Form>,
    ) -> impl Fn(leptos::ev::SubmitEvent) + Clone + 'static {
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            #[cfg(feature = "hydrate")]
            if let Some(form) = form.get_untracked() {
                if let Ok(fields) = crate::components::post_form::enhanced::fields_of(&form) {
                    self.send(action.clone(), fields);
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&action, form);
        }
    }

    /// Calls `action` with `fields` as the form would send them.
    pub fn call(self, action: &str, fields: &[(&str, String)]) {
        #[cfg(feature = "hydrate")]
        if let Some(params) = params_of(fields) {
            self.send(action.to_owned(), params);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (action, fields);
    }

    #[cfg(feature = "hydrate")]
    fn send(self, action: String, fields: web_sys::UrlSearchParams) {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            if let Some(answer) = answer_of(&action, &fields).await {
                self.answer.set(Some(answer));
                self.version.update(|version| *version += 1);
            }
            self.pending.set(false);
        });
    }
}

impl<T> Default for Sent<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

/// Asks `action` once with `fields` and hands its answer to `then`, for
/// lists read again after a change and progress followed.
pub fn read_again<T>(
    action: &str,
    fields: &[(&str, String)],
    then: impl FnOnce(Result<T, AppError>) + 'static,
) where
    T: DeserializeOwned + 'static,
{
    #[cfg(feature = "hydrate")]
    if let Some(params) = params_of(fields) {
        let action = action.to_owned();
        leptos::task::spawn_local(async move {
            if let Some(answer) = answer_of(&action, &params).await {
                then(answer);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (action, fields, then);
}

#[cfg(feature = "hydrate")]
fn params_of(fields: &[(&str, String)]) -> Option<web_sys::UrlSearchParams> {
    let params = web_sys::UrlSearchParams::new().ok()?;
    for (name, value) in fields {
        params.append(name, value);
    }
    Some(params)
}

/// The decoded answer of `action`; `None` when the server sent the browser
/// to another page instead.
#[cfg(feature = "hydrate")]
async fn answer_of<T: DeserializeOwned>(
    action: &str,
    fields: &web_sys::UrlSearchParams,
) -> Option<Result<T, AppError>> {
    use crate::components::post_form::enhanced::{post, Answer};
    match post(action, fields).await {
        Ok(Answer::Done(text)) => Some(
            serde_json::from_str::<T>(&text)
                .map_err(|error| AppError::Transport(error.to_string())),
        ),
        Ok(Answer::Redirect(to)) => {
            crate::components::form::open_within_tenantry(&to);
            None
        }
        Err(error) => Some(Err(error)),
    }
}
