//! Alerts: where the organisation's alerts go. Admins add a webhook (its
//! signing secret is shown once), send it a test and remove it; every
//! member sees the channels and what was sent to each, with the receiver's
//! answer.

use crate::api::alerts::{list_alert_channels, AddAlertChannel, RemoveAlertChannel, SendAlertTest};
use crate::components::credential_fields::FormInput;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::relative_time::RelativeTime;
use crate::components::sent::Sent;
use crate::components::shell::SignedIn;
use crate::model::{AddedAlertChannel, AlertChannelView, AlertDeliveryView};
use domain::alert_message::ChannelKind;
use domain::outbox::MessageState;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AlertsPage() -> impl IntoView {
    let channels = Resource::new(|| (), |_| list_alert_channels());
    let me = use_context::<SignedIn>();
    view! {
        <Title text="Alerts"/>
        <h1>"Alerts"</h1>
        <p class="muted">"A webhook gets Tenantry's JSON, signed as the Standard Webhooks convention has it (webhook-id, webhook-timestamp, webhook-signature), so the receiver can check it came from here. Microsoft Teams gets an Adaptive Card through a Workflows webhook, Slack a message through an incoming webhook; their addresses carry their own secret. Messages go only to public addresses and are tried again with growing waits when the receiver is busy or unreachable."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_manage = match me {
                    Some(SignedIn(me)) => me.await.is_ok_and(|me| me.role.may(domain::Action::ManageOrganisation)),
                    None => false,
                };
                match channels.await {
                    Ok(channels) => view! { <Channels channels can_manage/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Channels(channels: Vec<AlertChannelView>, can_manage: bool) -> impl IntoView {
    let test = ServerAction::<SendAlertTest>::new();
    let remove = ServerAction::<RemoveAlertChannel>::new();
    let test_error = action_error(test);
    let remove_error = action_error(remove);
    view! {
        {can_manage.then(|| view! {
            <section class="card">
                <h2>"Add a channel"</h2>
                <AddChannel/>
            </section>
        })}
        <FormError error=test_error fields=&[]/>
        <FormError error=remove_error fields=&[]/>
        {if channels.is_empty() {
            view! { <p class="muted">"No channels yet: alerts go nowhere."</p> }.into_any()
        } else {
            channels.into_iter().map(|channel| {
                let test_id = channel.id.to_string();
                let remove_id = test_id.clone();
                let test_label = format!("Send a test to {}", channel.name);
                let remove_label = format!("Remove {}", channel.name);
                view! {
                    <section class="card">
                        <h2>{channel.name.clone()}</h2>
                        <p class="muted">{channel.kind.clone()} " to " {channel.host.clone()} " · added " <RelativeTime at=channel.created_at.clone()/></p>
                        {can_manage.then(move || view! {
                            <div class="actions">
                                <ActionForm action=test attr:class="inline-form">
                                    <input type="hidden" name="channel_id" value=test_id/>
                                    <button type="submit" class="secondary small" aria-label=test_label>"Send a test"</button>
                                </ActionForm>
                                <ActionForm action=remove attr:class="inline-form">
                                    <input type="hidden" name="channel_id" value=remove_id/>
                                    <button type="submit" class="secondary small" aria-label=remove_label>"Remove"</button>
                                </ActionForm>
                            </div>
                        })}
                        <Deliveries name=channel.name deliveries=channel.deliveries/>
                    </section>
                }
            }).collect_view().into_any()
        }}
    }
}

#[component]
fn Deliveries(name: String, deliveries: Vec<AlertDeliveryView>) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="muted">"Nothing sent yet."</p> }.into_any();
    }
    view! {
        <table aria-label=format!("What was sent to {name}")>
            <thead><tr>
                <th scope="col">"Queued"</th><th scope="col">"Event"</th><th scope="col">"State"</th>
                <th scope="col">"Attempts"</th><th scope="col">"Receiver's answer"</th>
            </tr></thead>
            <tbody>
                {deliveries.into_iter().map(|delivery| view! {
                    <tr>
                        <td><RelativeTime at=delivery.created_at/></td>
                        <td><code>{delivery.event}</code></td>
                        <td>{state_label(delivery.state)}
                            {delivery.next_attempt_at.map(|at| view! { " · next try " <RelativeTime at/> })}
                        </td>
                        <td>{delivery.attempts}</td>
                        <td>{delivery.last_answer}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn state_label(state: MessageState) -> &'static str {
    match state {
        MessageState::Queued => "Not delivered yet",
        MessageState::Delivered => "Delivered",
        MessageState::Failed => "Given up",
    }
}

/// A webhook's signing secret is shown here once; the channel is listed
/// when the page is opened again.
#[island]
fn AddChannel() -> impl IntoView {
    let add = Sent::<AddedAlertChannel>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    let error = add.error();
    let kind_error = move || error.get().and_then(|error| error.for_field("kind"));
    view! {
        <form node_ref=form action={endpoint::<AddAlertChannel>()} method="post" on:submit={add.on_submit(endpoint::<AddAlertChannel>(), form)}>
            <div class="field">
                <label for="channel-kind">"Receiver"</label>
                <select id="channel-kind" name="form[kind]" data-field="kind" aria-describedby="channel-kind-error">
                    {ChannelKind::ALL.into_iter().map(|kind| view! {
                        <option value=kind.as_str()>{kind.label()}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" id="channel-kind-error" data-error-for="kind">{kind_error}</p>
            </div>
            <FormInput label="Name" name="name" error hint="What it feeds, e.g. the PSA's ticket queue."/>
            <FormInput label="Receiver's address" name="url" kind="url" error hint="An https:// address. It is kept sealed; only its host is shown again."/>
            <FormError error fields=&["kind", "name", "url"]/>
            <button type="submit" disabled=move || add.pending()>"Add the channel"</button>
        </form>
        {move || add.ok().map(|added| view! {
            <div class="notice" role="status">
                {match added.secret {
                    Some(secret) => view! {
                        <p>"Added. Give the receiver this signing secret now: it is not shown again."</p>
                        <label for="webhook-secret">"Signing secret"</label>
                        <input id="webhook-secret" type="text" readonly=true value=secret/>
                    }.into_any(),
                    None => view! { <p>"Added."</p> }.into_any(),
                }}
                <p><a href="/alerts">"Show it in the list"</a></p>
            </div>
        })}
    }
}
