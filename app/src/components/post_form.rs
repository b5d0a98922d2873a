//! A form that works without the browser's help and is better with it.
//!
//! On the server it is a plain `<form method="post">` to a server function:
//! posted by the browser itself (before the page is interactive, or without
//! JavaScript), the server answers with the page again, or with the error in
//! the page's address, which the fields show. Once the page is interactive
//! the same form is sent in the background instead: a refusal puts each
//! reason beside its field and keeps everything typed; a success does what
//! `After` says. The fields are server-rendered children, so every form of
//! this kind shares this one island's code: the browser needs none per form.

use serde::{Deserialize, Serialize};

use leptos::prelude::*;

/// What a successful answer leads to (a redirect the server asks for is
/// always followed first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum After {
    /// Load the page again, so everything on it shows the change.
    Reload,
    /// Open another page of Tenantry.
    Open(String),
    /// Stay, with what was typed, and say so; `empty` clears the form
    /// (typed passwords do not linger).
    Notice { text: String, empty: bool },
    /// Stay, clear the form, and show the answer (a text the server
    /// returns once, such as a new API token) under `label`.
    Reveal { label: String },
}

impl After {
    /// Stay with what was typed, and say `text`.
    pub fn notice(text: &str) -> Self {
        After::Notice {
            text: text.to_owned(),
            empty: false,
        }
    }

    /// Say `text` and clear the form.
    pub fn notice_and_empty(text: &str) -> Self {
        After::Notice {
            text: text.to_owned(),
            empty: true,
        }
    }
}

#[island]
pub fn PostForm(action: String, after: After, class: String, children: Children) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    // What to say, and for `After::Reveal` the text to show beside it.
    let notice = RwSignal::new(None::<(String, Option<String>)>);
    let pending = RwSignal::new(false);
    let submit = {
        let action = action.clone();
        move |event: leptos::ev::SubmitEvent| {
            // Submit handlers run only in the browser.
            #[cfg(feature = "hydrate")]
            enhanced::submit(event, &action, &after, form, notice, pending);
            #[cfg(not(feature = "hydrate"))]
            let _ = (event, &action, &after, form, notice, pending);
        }
    };
    view! {
        <form node_ref=form action=action method="post" class=class on:submit=submit>
            {children()}
        </form>
        {move || notice.get().map(|(text, value)| view! {
            <p class="notice" role="status">
                {value.map(|value| view! { <input type="text" readonly=true aria-label=text.clone() value=value/> })}
                {text.clone()}
            </p>
        })}
    }
}

/// The browser's side: sending the form, reading the answer, showing errors.
#[cfg(feature = "hydrate")]
pub(crate) mod enhanced {
    use super::After;
    use crate::error::AppError;
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Element, HtmlFormElement};

    /// What the form says after an answer (see `PostForm`).
    type Notice = RwSignal<Option<(String, Option<String>)>>;

    /// A successful answer: its body, or the page the server sends the
    /// browser to.
    pub enum Answer {
        Done(String),
        Redirect(String),
    }

    pub fn submit(
        event: leptos::ev::SubmitEvent,
        action: &str,
        after: &After,
        form: NodeRef<leptos::html::Form>,
        notice: Notice,
        pending: RwSignal<bool>,
    ) {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(element) = form.get_untracked() else {
            return;
        };
        pending.set(true);
        notice.set(None);
        let (action, after) = (action.to_owned(), after.clone());
        leptos::task::spawn_local(async move {
            set_busy(&element, true);
            let answer = match fields_of(&element) {
                Ok(fields) => post(&action, &fields).await,
                Err(error) => Err(error),
            };
            set_busy(&element, false);
            pending.set(false);
            match answer {
                Ok(Answer::Redirect(to)) => open(&to),
                Ok(Answer::Done(body)) => {
                    show_error(&element, None);
                    match after {
                        After::Reload => crate::components::form::reload_page(),
                        After::Open(to) => open(&to),
                        After::Notice { text, empty } => {
                            if empty {
                                element.reset();
                            }
                            notice.set(Some((text, None)));
                        }
                        After::Reveal { label } => {
                            element.reset();
                            let text = serde_json::from_str::<String>(&body).unwrap_or_default();
                            notice.set(Some((label, Some(text))));
                        }
                    }
                }
                Err(error) => show_error(&element, Some(&error)),
            }
        });
    }

    fn transport(error: JsValue) -> AppError {
        AppError::Transport(
            error
                .as_string()
                .unwrap_or_else(|| "the request failed".to_owned()),
        )
    }

    /// The form's fields as the browser would send them.
    pub fn fields_of(form: &HtmlFormElement) -> Result<web_sys::UrlSearchParams, AppError> {
        let data = web_sys::FormData::new_with_form(form).map_err(transport)?;
        let fields =
            web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).map_err(transport)?;
        join_choices(form, &fields);
        Ok(fields)
    }

    /// Posts `body` as a form would, but asks for JSON, so a refusal comes
    /// back as the error rather than as a page.
    pub async fn post(action: &str, body: &web_sys::UrlSearchParams) -> Result<Answer, AppError> {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(body);
        let headers = web_sys::Headers::new().map_err(transport)?;
        headers
            .set("Accept", "application/json")
            .map_err(transport)?;
        init.set_headers(&headers);
        let response: web_sys::Response =
            JsFuture::from(window().fetch_with_str_and_init(action, &init))
                .await
                .map_err(transport)?
                .unchecked_into();
        let redirect = response
            .headers()
            .has("serverfnredirect")
            .unwrap_or(false)
            .then(|| response.headers().get("location").ok().flatten())
            .flatten();
        let text = JsFuture::from(response.text().map_err(transport)?)
            .await
            .map_err(transport)?
            .as_string()
            .unwrap_or_default();
        if !response.ok() {
            return Err(serde_json::from_str(&text).unwrap_or_else(|_| {
                AppError::Transport(format!("the server answered {}", response.status()))
            }));
        }
        Ok(match redirect {
            Some(to) => Answer::Redirect(to),
            None => Answer::Done(text),
        })
    }

    /// Checkboxes marked `data-join="<name>"` travel as one field, their
    /// checked values separated by commas (how the product lists are taken).
    fn join_choices(form: &HtmlFormElement, body: &web_sys::UrlSearchParams) {
        let mut joined: Vec<(String, Vec<String>)> = Vec::new();
        for element in each(form, "input[data-join]") {
            let Some(name) = element.get_attribute("data-join") else {
                continue;
            };
            let input: web_sys::HtmlInputElement = element.unchecked_into();
            let at = match joined.iter().position(|(n, _)| *n == name) {
                Some(at) => at,
                None => {
                    joined.push((name, Vec::new()));
                    joined.len() - 1
                }
            };
            if input.checked() {
                joined[at].1.push(input.value());
            }
        }
        for (name, values) in joined {
            body.set(&name, &values.join(","));
        }
    }

    fn open(to: &str) {
        crate::components::form::open_within_tenantry(to);
    }

    fn set_busy(form: &HtmlFormElement, busy: bool) {
        for button in each(form, "button[type=submit]") {
            let _ = if busy {
                button.set_attribute("disabled", "")
            } else {
                button.remove_attribute("disabled")
            };
        }
    }

    /// Each `[data-error-for="<field>"]` shows that field's part of `error`
    /// and marks its input; `[data-form-error]` shows what no field took.
    fn show_error(form: &HtmlFormElement, error: Option<&AppError>) {
        let mut taken = false;
        for holder in each(form, "[data-error-for]") {
            let field = holder.get_attribute("data-error-for").unwrap_or_default();
            let message = error.and_then(|error| error.for_field(&field));
            taken |= message.is_some();
            holder.set_text_content(message.as_deref());
            for input in each(form, &format!("[data-field=\"{field}\"]")) {
                let _ = if message.is_some() {
                    input.set_attribute("aria-invalid", "true")
                } else {
                    input.remove_attribute("aria-invalid")
                };
            }
        }
        let general = error.filter(|_| !taken).map(ToString::to_string);
        for holder in each(form, "[data-form-error]") {
            holder.set_text_content(general.as_deref());
            let _ = if general.is_some() {
                holder.remove_attribute("hidden")
            } else {
                holder.set_attribute("hidden", "")
            };
        }
    }

    fn each(form: &HtmlFormElement, selector: &str) -> Vec<Element> {
        crate::components::dom::all(Some(form), selector)
    }
}
