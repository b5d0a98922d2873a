//! Alerts: where the organisation's alerts go. Admins add a channel (a
//! webhook's signing secret is shown once, and again once per rotation),
//! choose what it is told, send it a test and remove it; every member sees
//! the channels and what was sent to each, with the receiver's answer.

use crate::api::alerts::{
    list_alert_channels, load_alert_settings, AddAlertChannel, FinishSecretRotation,
    RemoveAlertChannel, RotateAlertSecret, SaveAlertChannelRules, SaveAlertTimeZone,
    SaveNoticeReplyTo, SendAlertTest,
};
use crate::components::credential_fields::FormInput;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::relative_time::RelativeTime;
use crate::components::sent::Sent;
use crate::components::shell::SignedIn;
use crate::model::{
    AddedAlertChannel, AlertChannelView, AlertDeliveryView, AlertRulesView, AlertSettingsView,
};
use domain::alert_message::ChannelKind;
use domain::outbox::MessageState;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AlertsPage() -> impl IntoView {
    let channels = Resource::new(|| (), |_| list_alert_channels());
    let settings = Resource::new(|| (), |_| load_alert_settings());
    let me = use_context::<SignedIn>();
    view! {
        <Title text="Alerts"/>
        <h1>"Alerts"</h1>
        <p class="muted">"A webhook gets Tenantry's JSON, signed as the Standard Webhooks convention has it (webhook-id, webhook-timestamp, webhook-signature), so the receiver can check it came from here. Microsoft Teams gets an Adaptive Card through a Workflows webhook, Slack a message through an incoming webhook; their addresses carry their own secret. Messages go only to public addresses and are tried again with growing waits when the receiver is busy or unreachable. Addresses are kept sealed: only a web address's host is shown again. E-mail goes to the addresses given, separated by commas."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_manage = match me {
                    Some(SignedIn(me)) => me.await.is_ok_and(|me| me.role.may(domain::Action::ManageOrganisation)),
                    None => false,
                };
                match (channels.await, settings.await) {
                    (Ok(channels), Ok(settings)) => view! {
                        <TimeZone time_zone=settings.time_zone.clone() can_manage/>
                        <NoticeReplyTo reply_to=settings.notice_reply_to.clone() can_manage/>
                        <Channels channels settings can_manage/>
                    }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Digests go at an hour of the organisation's own day.
#[component]
fn TimeZone(time_zone: String, can_manage: bool) -> impl IntoView {
    let action = ServerAction::<SaveAlertTimeZone>::new();
    let error = action_error(action);
    let message = move || error.get().and_then(|e| e.for_field("time_zone"));
    view! {
        <section class="card">
            <h2>"Time zone"</h2>
            <p>"Daily digests go at their hour in " <strong>{time_zone.clone()}</strong> ", summer time included."</p>
            {can_manage.then(|| view! {
                <PostForm action={endpoint::<SaveAlertTimeZone>()} after=After::Reload class=String::new()>
                    <div class="field">
                        <label for="alert-time-zone">"Time zone"</label>
                        <p class="hint" id="alert-time-zone-hint">"A name such as Europe/Amsterdam, America/New_York or UTC."</p>
                        <input id="alert-time-zone" name="time_zone" value=time_zone autocomplete="off"
                            aria-describedby="alert-time-zone-hint alert-time-zone-error"
                            data-field="time_zone" aria-invalid=move || message().map(|_| "true")/>
                        <p class="field-error" id="alert-time-zone-error" data-error-for="time_zone">{message}</p>
                    </div>
                    <FormError error fields=&["time_zone"]/>
                    <button type="submit">"Save the time zone"</button>
                </PostForm>
            })}
        </section>
    }
}

/// Where customers' replies to expiry notices go.
#[component]
fn NoticeReplyTo(reply_to: Option<String>, can_manage: bool) -> impl IntoView {
    let action = ServerAction::<SaveNoticeReplyTo>::new();
    let error = action_error(action);
    let message = move || error.get().and_then(|e| e.for_field("reply_to"));
    view! {
        <section class="card">
            <h2>"Customer notices"</h2>
            <p>"Customer tenants can ask for their contacts to be told before a credential expires (on the tenant's page), with a renewal link. The notices come from your organisation's name; replies go to "
                <strong>{reply_to.clone().unwrap_or_else(|| "Tenantry's sender address".to_owned())}</strong>"."</p>
            {can_manage.then(|| view! {
                <PostForm action={endpoint::<SaveNoticeReplyTo>()} after=After::Reload class=String::new()>
                    <div class="field">
                        <label for="notice-reply-to">"Reply-to address"</label>
                        <p class="hint" id="notice-reply-to-hint">"Your service desk, e.g. servicedesk@your-company.example. Empty: replies go to the sender."</p>
                        <input id="notice-reply-to" name="reply_to" type="email" value=reply_to.unwrap_or_default() autocomplete="off"
                            aria-describedby="notice-reply-to-hint notice-reply-to-error"
                            data-field="reply_to" aria-invalid=move || message().map(|_| "true")/>
                        <p class="field-error" id="notice-reply-to-error" data-error-for="reply_to">{message}</p>
                    </div>
                    <FormError error fields=&["reply_to"]/>
                    <button type="submit">"Save the reply-to address"</button>
                </PostForm>
            })}
        </section>
    }
}

/// What a channel is told, in words.
fn rules_summary(
    rules: &AlertRulesView,
    settings: &AlertSettingsView,
) -> Vec<(&'static str, String)> {
    let named = |ids: &[String], choices: &[(String, String)], all: &str| {
        if ids.is_empty() {
            return all.to_owned();
        }
        ids.iter()
            .map(|id| {
                choices
                    .iter()
                    .find(|(c, _)| c == id)
                    .map_or(id.clone(), |(_, name)| name.clone())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        (
            "Events",
            named(&rules.events, &settings.events, "All events"),
        ),
        (
            "From severity",
            domain::alerts::Severity::parse(&rules.min_severity)
                .map_or("", domain::alerts::Severity::label)
                .to_owned(),
        ),
        (
            "Customer tenants",
            named(&rules.tenants, &settings.tenants, "All customer tenants"),
        ),
        (
            "Products",
            named(&rules.products, &settings.products, "All products"),
        ),
        (
            "When",
            match rules.digest_hour {
                Some(hour) => format!("One daily digest at {hour:02}:00 ({})", settings.time_zone),
                None => "Each alert at once".to_owned(),
            },
        ),
    ]
}

/// Checkboxes named `form[<name>][]`: the ticked ones travel as a list.
#[component]
fn Choices(
    legend: &'static str,
    name: &'static str,
    hint: &'static str,
    choices: Vec<(String, String)>,
    ticked: Vec<String>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.for_field(name));
    view! {
        <fieldset class="field" data-field=name>
            <legend>{legend}</legend>
            <p class="hint">{hint}</p>
            {choices.into_iter().map(|(value, label)| {
                let checked = ticked.contains(&value);
                view! {
                    <label class="check">
                        <input type="checkbox" name=format!("form[{name}][]") value=value checked=checked/>
                        {label}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" data-error-for=name>{message}</p>
        </fieldset>
    }
}

/// An admin changes what a channel is told; a refusal keeps what was ticked.
#[component]
fn RulesForm(channel: AlertChannelView, settings: AlertSettingsView) -> impl IntoView {
    let action = ServerAction::<SaveAlertChannelRules>::new();
    let error = action_error(action);
    let rules = channel.rules.clone();
    let all_events = rules.events.is_empty();
    let ticked_events: Vec<String> = if all_events {
        settings
            .events
            .iter()
            .map(|(code, _)| code.clone())
            .collect()
    } else {
        rules.events.clone()
    };
    let label = format!("Change what {} is told", channel.name);
    view! {
        <details>
            <summary>{label}</summary>
            <PostForm action={endpoint::<SaveAlertChannelRules>()} after=After::Reload class="rules-form".to_owned()>
                <input type="hidden" name="channel_id" value=channel.id.to_string()/>
                <Choices legend="Events" name="events" hint="Ticking all of them also includes events Tenantry adds later."
                    choices=settings.events.clone() ticked=ticked_events error/>
                <div class="field">
                    <label for=format!("severity-{}", channel.id)>"From severity"</label>
                    <select id=format!("severity-{}", channel.id) name="form[min_severity]" data-field="min_severity">
                        {domain::alerts::Severity::ALL.into_iter().map(|severity| view! {
                            <option value=severity.as_str() selected=severity.as_str() == rules.min_severity>{severity.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Choices legend="Customer tenants" name="tenants" hint="None ticked: every customer tenant, including ones added later."
                    choices=settings.tenants.clone() ticked=rules.tenants.clone() error/>
                <Choices legend="Products" name="products" hint="None ticked: every product."
                    choices=settings.products.clone() ticked=rules.products.clone() error/>
                <div class="field">
                    <label for=format!("digest-{}", channel.id)>"When"</label>
                    <select id=format!("digest-{}", channel.id) name="form[digest_hour]" data-field="digest_hour">
                        <option value="" selected=rules.digest_hour.is_none()>"Each alert at once"</option>
                        {(0u8..24).map(|hour| view! {
                            <option value=hour.to_string() selected=rules.digest_hour == Some(hour)>{format!("One daily digest at {hour:02}:00")}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" data-error-for="digest_hour">{move || error.get().and_then(|e| e.for_field("digest_hour"))}</p>
                </div>
                <FormError error fields=&["events", "min_severity", "tenants", "products", "digest_hour"]/>
                <button type="submit">"Save the rules"</button>
            </PostForm>
        </details>
    }
}

#[component]
fn Channels(
    channels: Vec<AlertChannelView>,
    settings: AlertSettingsView,
    can_manage: bool,
) -> impl IntoView {
    let test = ServerAction::<SendAlertTest>::new();
    let remove = ServerAction::<RemoveAlertChannel>::new();
    let finish_rotation = ServerAction::<FinishSecretRotation>::new();
    let test_error = action_error(test);
    let remove_error = action_error(remove);
    let senders = settings.senders.clone();
    let home_tenant_known = settings.home_tenant_known;
    view! {
        {can_manage.then(move || view! {
            <section class="card">
                <h2>"Add a channel"</h2>
                <AddChannel>
                    <GraphSender senders=senders.clone()/>
                </AddChannel>
                <MailThroughGraph home_tenant_known/>
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
                let summary = rules_summary(&channel.rules, &settings);
                let rotation = (can_manage && channel.signing_secrets > 0).then(|| {
                    let id = channel.id.to_string();
                    let name = channel.name.clone();
                    if channel.signing_secrets > 1 {
                        view! {
                            <p class="muted">"Signed with the new and the old secret while the receiver switches."</p>
                            <ActionForm action=finish_rotation attr:class="inline-form">
                                <input type="hidden" name="channel_id" value=id/>
                                <button type="submit" class="secondary small" aria-label=format!("Stop signing messages to {name} with the old secret")>"Stop signing with the old secret"</button>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <p class="muted">"Rotating makes a new signing secret, shown once; messages carry both signatures until you stop signing with the old one."</p>
                            <RotateSecret channel_id=id label=format!("Rotate the signing secret of {name}")/>
                        }.into_any()
                    }
                });
                let rules_form = can_manage.then(|| view! { <RulesForm channel=channel.clone() settings=settings.clone()/> });
                let waiting = (channel.rules.digest_hour.is_some()).then(|| {
                    let next = channel.next_digest_at.clone();
                    view! {
                        <p class="muted">{format!("{} alerts wait for the next digest", channel.waiting_for_digest)}
                            {next.map(|at| view! { ", due " <RelativeTime at/> })} "."</p>
                    }
                });
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
                        <dl class="facts" aria-label=format!("What {} is told", channel.name)>
                            {summary.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
                        </dl>
                        {waiting}
                        {rotation}
                        {rules_form}
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

/// What sending as a mailbox through Graph takes, and how to keep the
/// permission to that one mailbox.
#[component]
fn MailThroughGraph(home_tenant_known: bool) -> impl IntoView {
    view! {
        <details>
            <summary>"E-mail from your own mailbox through Microsoft Graph"</summary>
            <p>"Tenantry sends as a mailbox of your own Microsoft 365 tenant, with a registration there that has the e-mail product. Set it up like a customer's: record your tenant under Tenants, create an onboarding link for the e-mail product and follow it. Tenantry then watches that registration like any other, so you hear when the channel itself would stop working."</p>
            <p>"Because Mail.Send can send as anyone in a tenant, Tenantry sends only from the tenant named as your own on the Recovery page, and only once you proved control of it: from its page under Tenants, create an ownership-proof link and follow it."</p>
            {(!home_tenant_known).then(|| view! {
                <p class="form-error">"Record your organisation's own tenant on the Recovery page first: only a registration in it may send your alerts."</p>
            })}
            <p>"Mail.Send, as an application permission, lets the registration send as any mailbox in your tenant, not only the alerts mailbox. Keep it to that one mailbox with an Exchange Online application access policy, run once in Exchange Online PowerShell:"</p>
            <pre><code>"New-ApplicationAccessPolicy -AppId <Application (client) ID> -PolicyScopeGroupId alerts@your-company.example -AccessRight RestrictAccess -Description \"Tenantry alerts only\""</code></pre>
            <p>"Graph then refuses every other mailbox, and Tenantry shows that refusal in the channel's log. Microsoft is moving these policies to RBAC for Applications, where the limited permission is granted in Exchange Online instead and the tenant-wide Mail.Send consent is removed from Entra ID (the two are added together); Tenantry checks the Entra consent, so keep the application access policy for this registration."</p>
        </details>
    }
}

/// The fields only e-mail from your own mailbox needs, rendered on the
/// server inside `AddChannel`'s form.
#[component]
fn GraphSender(senders: Vec<(String, String)>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="channel-mailbox">"Sending mailbox"</label>
            <p class="hint">"E-mail from your mailbox only: the mailbox the alerts are sent as."</p>
            <input id="channel-mailbox" name="form[mailbox]" type="email" autocomplete="off" data-field="mailbox"/>
        </div>
        <div class="field">
            <label for="channel-sender">"Registration that sends"</label>
            <p class="hint">"E-mail from your mailbox only: a registration with the e-mail product in your own tenant."</p>
            <select id="channel-sender" name="form[registration_id]" data-field="registration_id">
                <option value="">"None"</option>
                {senders.into_iter().map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// A webhook's new signing secret is shown here once.
#[island]
fn RotateSecret(channel_id: String, label: String) -> impl IntoView {
    let rotate = Sent::<AddedAlertChannel>::new();
    let error = rotate.error();
    view! {
        <button type="button" class="secondary small" aria-label=label disabled=move || rotate.pending()
            on:click=move |_| rotate.call(&endpoint::<RotateAlertSecret>(), &[("channel_id", channel_id.clone())])>
            "Rotate the signing secret"
        </button>
        <FormError error fields=&[]/>
        {move || rotate.ok().and_then(|rotated| rotated.secret).map(|secret| view! {
            <div class="notice" role="status">
                <label for="rotated-secret">"New signing secret"</label>
                <input id="rotated-secret" type="text" readonly=true value=secret/>
                <p><a href="/alerts">"Done"</a></p>
            </div>
        })}
    }
}

/// A webhook's signing secret is shown here once; the channel is listed
/// when the page is opened again.
#[island]
fn AddChannel(children: Children) -> impl IntoView {
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
            <FormInput label="Receiver's address" name="url" error hint="https:// address, or e-mail addresses separated by commas."/>
            {children()}
            // The Graph fields are the server's children: their problems are
            // listed here.
            <FormError error fields=&["kind", "name", "url"]/>
            <button type="submit" disabled=move || add.pending()>"Add the channel"</button>
        </form>
        {move || add.ok().map(|added| view! {
            <div class="notice" role="status">
                {match added.secret {
                    Some(secret) => view! {
                        <p>"Added. Copy the signing secret now: it is not shown again."</p>
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
