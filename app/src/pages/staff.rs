use crate::api::mfa::{RequireMfa, ResetMemberMfa};
use crate::api::staff::{
    load_staff, ChangeMemberStanding, ChangeRole, InviteStaff, RevokeInvitation, SendPasswordReset,
};
use crate::components::form::{action_error, form_action, Field, FormError};
use crate::model::{StaffMember, StaffOverview};
use domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;

/// Settings → Staff: who can sign in to this organisation and with which role.
/// Admins invite colleagues and change roles; everyone else only reads.
#[component]
pub fn StaffPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_staff());
    view! {
        <Title text="Staff"/>
        <h1>"Staff"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <StaffWorkspace overview/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The list is asked for again only after a change succeeded: a refused
/// form keeps what was typed instead of being drawn again empty.
#[island]
fn StaffWorkspace(overview: StaffOverview) -> impl IntoView {
    let invite = form_action::<InviteStaff>();
    let change_role = form_action::<ChangeRole>();
    let standing = form_action::<ChangeMemberStanding>();
    let revoke = form_action::<RevokeInvitation>();
    let reset_mfa = form_action::<ResetMemberMfa>();
    let require_mfa = form_action::<RequireMfa>();
    let send_reset = form_action::<SendPasswordReset>();
    let overview = RwSignal::new(overview);
    Effect::new(move |_| {
        let invited = matches!(invite.value().get(), Some(Ok(_)));
        let changed = matches!(change_role.value().get(), Some(Ok(_)));
        let stood = matches!(standing.value().get(), Some(Ok(_)));
        let revoked = matches!(revoke.value().get(), Some(Ok(_)));
        let reset = matches!(reset_mfa.value().get(), Some(Ok(_)));
        let required = matches!(require_mfa.value().get(), Some(Ok(_)));
        if invited || changed || stood || revoked || reset || required {
            leptos::task::spawn_local(async move {
                if let Ok(now) = load_staff().await {
                    overview.set(now);
                }
            });
        }
    });
    let actions = MemberActions {
        change_role,
        standing,
        revoke,
        reset_mfa,
        require_mfa,
        send_reset,
    };
    let filter = RwSignal::new(String::new());
    move || view! { <StaffSections overview=overview.get() filter invite actions/> }
}

/// What an admin can do to colleagues and invitations on this page.
#[derive(Clone, Copy)]
struct MemberActions {
    change_role: ServerAction<ChangeRole>,
    standing: ServerAction<ChangeMemberStanding>,
    revoke: ServerAction<RevokeInvitation>,
    reset_mfa: ServerAction<ResetMemberMfa>,
    require_mfa: ServerAction<RequireMfa>,
    send_reset: ServerAction<SendPasswordReset>,
}

#[component]
fn StaffSections(
    overview: StaffOverview,
    filter: RwSignal<String>,
    invite: ServerAction<InviteStaff>,
    actions: MemberActions,
) -> impl IntoView {
    let can_manage = overview.can_manage;
    let members = overview.members;
    let total = members.len();
    let role_error = action_error(actions.change_role);
    let standing_error = action_error(actions.standing);
    let reset_error = action_error(actions.reset_mfa);
    let mfa_required = overview.mfa_required;
    let visible = move || {
        let needle = filter.get().trim().to_lowercase();
        members
            .iter()
            .filter(|member| {
                needle.is_empty()
                    || member.display_name.to_lowercase().contains(&needle)
                    || member.email.contains(&needle)
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let shown = {
        let visible = visible.clone();
        move || visible().len()
    };
    view! {
        <section class="card">
            <div class="section-head">
                <h2>"Team members"</h2>
                <div class="field inline">
                    <label for="staff-filter">"Filter staff"</label>
                    <input id="staff-filter" type="search" placeholder="Name or e-mail" bind:value=filter/>
                </div>
            </div>
            <p class="muted" role="status">{move || format!("Showing {} of {}", shown(), total)}</p>
            <FormError error=role_error fields=&[]/>
            <FormError error=standing_error fields=&[]/>
            <FormError error=reset_error fields=&[]/>
            <ResetLinkMade action=actions.send_reset/>
            <table class="staff">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Role"</th>
                        {can_manage.then(|| view! { <th scope="col">"Access"</th> })}
                    </tr>
                </thead>
                <tbody>
                    <For each=visible key=|member| (member.id.clone(), member.role, member.disabled) let:member>
                        <StaffRow member can_manage actions/>
                    </For>
                </tbody>
            </table>
        </section>
        {can_manage.then(|| view! {
            <MfaRequirement required=mfa_required action=actions.require_mfa/>
            <InviteSection invite/>
            <PendingInvitations invitations=overview.invitations revoke=actions.revoke/>
            <section class="card">
                <h2>"Audit trail"</h2>
                <p>"Sign-ins, changes to staff, tenants and registrations, and downloads: "
                    <a href="/audit">"see the audit trail"</a>"."</p>
            </section>
            <section class="card">
                <h2>"Company recovery and e-mail"</h2>
                <p>"Your organisation's Microsoft 365 tenant, whether access can be recovered by proving control of it, the attempts made, and every e-mail Tenantry sent or could not send: "
                    <a href="/recovery">"see Recovery"</a>"."</p>
            </section>
        })}
    }
}

#[component]
fn StaffRow(member: StaffMember, can_manage: bool, actions: MemberActions) -> impl IntoView {
    let change_role = actions.change_role;
    let mut label = match (member.is_you, member.disabled) {
        (true, _) => format!("{} (you)", member.display_name),
        (false, true) => format!("{} (disabled)", member.display_name),
        (false, false) => member.display_name.clone(),
    };
    if member.mfa {
        label.push_str(" · second factor on");
    }
    let access_cell = (can_manage && !member.is_you).then(|| {
        let (id, id_again) = (member.id.to_string(), member.id.to_string());
        let reset_link_label = format!("Make a password reset link for {}", member.display_name);
        let reset_link_id = member.id.to_string();
        let reset_link = view! {
            <ActionForm action=actions.send_reset attr:class="inline-form">
                <input type="hidden" name="user_id" value=reset_link_id.clone()/>
                <button type="submit" class="secondary small" aria-label=reset_link_label.clone()>"Reset password"</button>
            </ActionForm>
        };
        let reset = member.mfa.then(|| {
            let id = member.id.to_string();
            let label = format!("Reset the second factor of {}", member.display_name);
            view! {
                <ActionForm action=actions.reset_mfa attr:class="inline-form">
                    <input type="hidden" name="user_id" value=id.clone()/>
                    <button type="submit" class="secondary small" aria-label=label.clone()>"Reset second factor"</button>
                </ActionForm>
            }
        });
        let toggle = if member.disabled { ("enable", "Enable") } else { ("disable", "Disable") };
        let toggle_label = format!("{} {}", toggle.1, member.display_name);
        let remove_label = format!("Remove {}", member.display_name);
        view! {
            <td class="access">
                <ActionForm action=actions.standing attr:class="inline-form">
                    <input type="hidden" name="user_id" value=id.clone()/>
                    <input type="hidden" name="change" value=toggle.0/>
                    <button type="submit" class="secondary small" aria-label=toggle_label.clone()>{toggle.1}</button>
                </ActionForm>
                <ActionForm action=actions.standing attr:class="inline-form">
                    <input type="hidden" name="user_id" value=id_again.clone()/>
                    <input type="hidden" name="change" value="remove"/>
                    <button type="submit" class="danger small" aria-label=remove_label.clone()>"Remove"</button>
                </ActionForm>
                {reset_link}
                {reset}
            </td>
        }
    });
    let access_cell = if can_manage && access_cell.is_none() {
        Some(view! { <td class="access"></td> }.into_any())
    } else {
        access_cell.map(|cell| cell.into_any())
    };
    let role_cell = if can_manage {
        let select_id = format!("role-{}", member.id);
        view! {
            <ActionForm action=change_role attr:class="role-form">
                <input type="hidden" name="user_id" value=member.id.to_string()/>
                <label class="visually-hidden" for=select_id.clone()>{format!("Role of {}", member.display_name)}</label>
                <RoleSelect id=select_id selected=member.role/>
                <button type="submit" class="secondary small">"Save"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <span>{member.role.label()}</span> }.into_any()
    };
    view! {
        <tr>
            <td>{label}</td>
            <td>{member.email}</td>
            <td>{role_cell}</td>
            {access_cell}
        </tr>
    }
}

#[component]
fn RoleSelect(id: String, selected: Role) -> impl IntoView {
    view! {
        <select id=id name="role">
            {Role::ALL.into_iter().map(|role| view! {
                <option value=role.as_str() selected=role == selected>{role.label()}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
fn InviteSection(invite: ServerAction<InviteStaff>) -> impl IntoView {
    let error = action_error(invite);
    let created = move || invite.value().get().and_then(|result| result.ok());
    view! {
        <section class="card">
            <h2>"Invite a colleague"</h2>
            <p class="muted">"Tenantry makes a single-use link that you pass on; it expires after a few days."</p>
            <ActionForm action=invite attr:class="invite-form">
                <Field label="Their e-mail address" name="email" kind="email" error/>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <RoleSelect id="invite-role".to_owned() selected=Role::Technician/>
                    <p class="field-error">{move || error.get().and_then(|error| error.for_field("role"))}</p>
                </div>
                <FormError error fields=&["email", "role"]/>
                <button type="submit" disabled=move || invite.pending().get()>"Create invitation link"</button>
            </ActionForm>
            {move || created().map(|created| view! {
                <div class="notice" role="status">
                    <p>"Send this link to " <strong>{created.email}</strong> ". It works once and expires " {created.expires_at.date().to_owned()} "."</p>
                    <label for="invitation-link">"Invitation link"</label>
                    <input id="invitation-link" type="text" readonly=true value=created.link/>
                </div>
            })}
        </section>
    }
}

#[component]
fn PendingInvitations(
    invitations: Vec<crate::model::PendingInvitation>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let error = action_error(revoke);
    (!invitations.is_empty()).then(|| view! {
        <section class="card">
            <h2>"Open invitations"</h2>
            <FormError error fields=&[]/>
            <ul class="plain">
                {invitations.into_iter().map(|invitation| view! {
                    <li>
                        {invitation.email.clone()} " · " {invitation.role.label()} " · expires " {invitation.expires_at.date().to_owned()}
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="invitation_id" value=invitation.id.to_string()/>
                            <button type="submit" class="secondary small" aria-label=format!("Withdraw the invitation for {}", invitation.email)>"Withdraw"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}

#[component]
fn MfaRequirement(required: bool, action: ServerAction<RequireMfa>) -> impl IntoView {
    let error = action_error(action);
    view! {
        <section class="card">
            <h2>"Second factor"</h2>
            <p role="status">{if required {
                "Every member must sign in with a code from an authenticator app. Members without one set it up at their next sign-in."
            } else {
                "Members may set up a second factor on their account page; it is not required."
            }}</p>
            <ActionForm action>
                <input type="hidden" name="required" value=(!required).to_string()/>
                <button type="submit" class="secondary">{if required {
                    "Stop requiring a second factor"
                } else {
                    "Require a second factor for every member"
                }}</button>
            </ActionForm>
            <FormError error fields=&[]/>
        </section>
    }
}

/// The reset link just made, to pass on to the member.
#[component]
fn ResetLinkMade(action: ServerAction<SendPasswordReset>) -> impl IntoView {
    let error = action_error(action);
    let made = move || action.value().get().and_then(|result| result.ok());
    view! {
        <FormError error fields=&[]/>
        {move || made().map(|made| view! {
            <div class="notice" role="status">
                <p>"Send this link to " <strong>{made.email}</strong> ". It works once and expires " {made.expires_at.date().to_owned()} "."</p>
                <label for="reset-link">"Password reset link"</label>
                <input id="reset-link" type="text" readonly=true value=made.link/>
            </div>
        })}
    }
}
