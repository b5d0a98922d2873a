use crate::api::mfa::{RequireMfa, ResetMemberMfa};
use crate::api::staff::{
    load_staff, ChangeMemberStanding, ChangeRole, InviteStaff, RevokeInvitation, SendPasswordReset,
};
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::row_filter::RowFilter;
use crate::components::sent::Sent;
use crate::model::{InvitationCreated, PasswordResetCreated, StaffMember, StaffOverview};
use domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;

/// Settings → Staff: who can sign in to this organisation and with which role.
/// Admins invite colleagues and change roles; everyone else only reads.
/// Changes are forms the browser posts itself: the server answers with the
/// page read again, or with the reason it refused.
#[component]
pub fn StaffPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_staff());
    view! {
        <Title text="Staff"/>
        <h1>"Staff"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <StaffSections overview/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What an admin can do to colleagues and invitations on this page.
#[derive(Clone, Copy)]
struct MemberActions {
    change_role: ServerAction<ChangeRole>,
    standing: ServerAction<ChangeMemberStanding>,
    reset_mfa: ServerAction<ResetMemberMfa>,
}

#[component]
fn StaffSections(overview: StaffOverview) -> impl IntoView {
    let actions = MemberActions {
        change_role: ServerAction::new(),
        standing: ServerAction::new(),
        reset_mfa: ServerAction::new(),
    };
    let can_manage = overview.can_manage;
    let total = overview.members.len();
    let role_error = action_error(actions.change_role);
    let standing_error = action_error(actions.standing);
    let reset_error = action_error(actions.reset_mfa);
    let rows = overview
        .members
        .into_iter()
        .map(|member| view! { <StaffRow member can_manage actions/> })
        .collect_view();
    view! {
        <section class="card">
            <div class="section-head">
                <h2>"Team members"</h2>
                <RowFilter input_id="staff-filter".to_owned() label="Filter staff".to_owned()
                    placeholder="Name or e-mail".to_owned() table_id="staff".to_owned() total/>
            </div>
            <FormError error=role_error fields=&[]/>
            <FormError error=standing_error fields=&[]/>
            <FormError error=reset_error fields=&[]/>
            <table class="staff" id="staff">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Role"</th>
                        {can_manage.then(|| view! { <th scope="col">"Access"</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
        {can_manage.then(|| view! {
            <MfaRequirement required=overview.mfa_required/>
            <section class="card">
                <h2>"Invite a colleague"</h2>
                <p class="muted">"Tenantry makes a single-use link that you pass on; it expires after a few days."</p>
                <InviteForm/>
            </section>
            <PendingInvitations invitations=overview.invitations/>
            <section class="card">
                <h2>"Audit trail"</h2>
                <p>"Sign-ins, changes to staff, tenants and registrations, and downloads: "
                    <a href="/audit">"see the audit trail"</a>"."</p>
            </section>
            <section class="card">
                <h2>"API tokens"</h2>
                <p>"Tokens for scripts and tools that use Tenantry's JSON API: "
                    <a href="/api-tokens">"manage API tokens"</a>"."</p>
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
    let search = format!(
        "{} {}",
        member.display_name.to_lowercase(),
        member.email.to_lowercase()
    );
    let access_cell = (can_manage && !member.is_you).then(|| {
        let (id, id_again) = (member.id.to_string(), member.id.to_string());
        let reset_link = view! {
            <ResetLinkButton user_id=member.id.to_string() name=member.display_name.clone()/>
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
                {reset}
                {reset_link}
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
        <tr data-search=search>
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

/// The link is shown once, here.
#[island]
fn InviteForm() -> impl IntoView {
    let invite = Sent::<InvitationCreated>::new();
    let invite_form = NodeRef::<leptos::html::Form>::new();
    let error = invite.error();
    let created = move || invite.ok();
    view! {
            <form node_ref=invite_form action={endpoint::<InviteStaff>()} method="post" class="invite-form" on:submit={invite.on_submit(endpoint::<InviteStaff>(), invite_form)}>
                <Field label="Their e-mail address" name="email" kind="email" error/>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <RoleSelect id="invite-role".to_owned() selected=Role::Technician/>
                    <p class="field-error">{move || error.get().and_then(|error| error.for_field("role"))}</p>
                </div>
                <FormError error fields=&["email", "role"]/>
                <button type="submit" disabled=move || invite.pending()>"Create invitation link"</button>
            </form>
            {move || created().map(|created| view! {
                <div class="notice" role="status">
                    <p>"Send this link to " <strong>{created.email}</strong> ". It works once and expires " {created.expires_at.date().to_owned()} "."</p>
                    <label for="invitation-link">"Invitation link"</label>
                    <input id="invitation-link" type="text" readonly=true value=created.link/>
                </div>
            })}
    }
}

#[component]
fn PendingInvitations(invitations: Vec<crate::model::PendingInvitation>) -> impl IntoView {
    let revoke = ServerAction::<RevokeInvitation>::new();
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
fn MfaRequirement(required: bool) -> impl IntoView {
    let action = ServerAction::<RequireMfa>::new();
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

/// Makes a password reset link for one member and shows it, once, to pass on.
#[island]
fn ResetLinkButton(user_id: String, name: String) -> impl IntoView {
    let action = Sent::<PasswordResetCreated>::new();
    let action_form = NodeRef::<leptos::html::Form>::new();
    let error = action.error();
    let made = move || action.ok();
    let input_id = format!("reset-link-{user_id}");
    view! {
        <form node_ref=action_form action={endpoint::<SendPasswordReset>()} method="post" class="inline-form" on:submit={action.on_submit(endpoint::<SendPasswordReset>(), action_form)}>
            <input type="hidden" name="user_id" value=user_id/>
            <button type="submit" class="secondary small" aria-label=format!("Make a password reset link for {name}")>"Reset password"</button>
        </form>
        <FormError error fields=&[]/>
        {move || made().map(|made| view! {
            <div class="notice" role="status">
                <p>"Send this link to " <strong>{made.email}</strong> ". It works once and expires " {made.expires_at.date().to_owned()} "."</p>
                <label for=input_id.clone()>"Password reset link"</label>
                <input id=input_id.clone() type="text" readonly=true value=made.link/>
            </div>
        })}
    }
}
