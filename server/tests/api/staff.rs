use crate::support::{app_error, spawn_app, PASSWORD};
use app::error::AppError;
use app::model::StaffOverview;
use reqwest::StatusCode;

#[tokio::test]
async fn an_admin_invites_a_technician_who_then_signs_in() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let admin = app.signed_in("ada@contoso.example", PASSWORD).await;

    let technician = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;

    let me: app::model::SignedInUser = app
        .call(&technician, "current_user", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.role, domain::Role::Technician);
    assert_eq!(me.organisation_name, "Contoso IT");
}

#[tokio::test]
async fn an_invitation_link_works_once() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let admin = app.signed_in("ada@contoso.example", PASSWORD).await;
    let created: app::model::InvitationCreated = app
        .call(
            &admin,
            "invite_staff",
            &[("email", "tom@contoso.example"), ("role", "viewer")],
        )
        .await
        .json()
        .await
        .unwrap();
    let accept = [("name", "Tom"), ("password", PASSWORD)];
    let invited = app.holding(&created.link).await;

    assert_eq!(
        app.call(&invited, "accept_invitation", &accept)
            .await
            .status(),
        StatusCode::OK
    );
    let again = app
        .call(
            &app.holding(&created.link).await,
            "accept_invitation",
            &accept,
        )
        .await;

    assert_eq!(again.status(), StatusCode::GONE);
    assert!(app_error(again)
        .await
        .to_string()
        .contains("already been used"));
}

#[tokio::test]
async fn a_viewer_can_look_but_not_change_anything() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let admin = app.signed_in("ada@contoso.example", PASSWORD).await;
    let viewer = app
        .add_member(&admin, "val@contoso.example", "viewer")
        .await;

    let overview: StaffOverview = app
        .call(&viewer, "load_staff", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overview.members.len(), 2);
    assert!(!overview.can_manage);

    let invite = app
        .call(
            &viewer,
            "invite_staff",
            &[("email", "eve@contoso.example"), ("role", "admin")],
        )
        .await;
    assert_eq!(invite.status(), StatusCode::FORBIDDEN);
    assert_eq!(app_error(invite).await, AppError::Forbidden);

    let own_id = overview
        .members
        .iter()
        .find(|m| m.is_you)
        .unwrap()
        .id
        .clone();
    let promote = app
        .call(
            &viewer,
            "change_role",
            &[("user_id", own_id.as_str()), ("role", "admin")],
        )
        .await;
    assert_eq!(promote.status(), StatusCode::FORBIDDEN);
    let me: app::model::SignedInUser = app
        .call(&viewer, "current_user", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.role, domain::Role::Viewer);
}

#[tokio::test]
async fn an_admin_changes_a_role_but_cannot_remove_the_last_admin() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let admin = app.signed_in("ada@contoso.example", PASSWORD).await;
    app.add_member(&admin, "tom@contoso.example", "technician")
        .await;
    let overview: StaffOverview = app
        .call(&admin, "load_staff", &[])
        .await
        .json()
        .await
        .unwrap();
    let tom = overview
        .members
        .iter()
        .find(|m| m.email == "tom@contoso.example")
        .unwrap();
    let me = overview.members.iter().find(|m| m.is_you).unwrap();

    let demote_self = app
        .call(
            &admin,
            "change_role",
            &[("user_id", me.id.as_str()), ("role", "viewer")],
        )
        .await;
    assert_eq!(demote_self.status(), StatusCode::CONFLICT);
    assert!(app_error(demote_self)
        .await
        .to_string()
        .contains("only active admin"));

    let promote = app
        .call(
            &admin,
            "change_role",
            &[("user_id", tom.id.as_str()), ("role", "admin")],
        )
        .await;
    assert_eq!(promote.status(), StatusCode::OK);
    let overview: StaffOverview = app
        .call(&admin, "load_staff", &[])
        .await
        .json()
        .await
        .unwrap();
    let tom = overview
        .members
        .iter()
        .find(|m| m.email == "tom@contoso.example")
        .unwrap();
    assert_eq!(tom.role, domain::Role::Admin);
}

#[tokio::test]
async fn inviting_with_a_malformed_address_or_unknown_role_says_which_field_is_wrong() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let admin = app.signed_in("ada@contoso.example", PASSWORD).await;

    let bad_email = app
        .call(
            &admin,
            "invite_staff",
            &[("email", "tom"), ("role", "viewer")],
        )
        .await;
    assert_eq!(bad_email.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(bad_email).await.for_field("email").is_some());

    let bad_role = app
        .call(
            &admin,
            "invite_staff",
            &[("email", "tom@contoso.example"), ("role", "owner")],
        )
        .await;
    assert!(app_error(bad_role).await.for_field("role").is_some());

    let existing = app
        .call(
            &admin,
            "invite_staff",
            &[("email", "ada@contoso.example"), ("role", "viewer")],
        )
        .await;
    assert!(app_error(existing)
        .await
        .for_field("email")
        .unwrap()
        .contains("already has an account"));
}

#[tokio::test]
async fn members_of_one_organisation_never_see_or_change_another() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    app.create_organisation("Fabrikam MSP", "grace@fabrikam.example")
        .await;
    let contoso = app.signed_in("ada@contoso.example", PASSWORD).await;
    let fabrikam = app.signed_in("grace@fabrikam.example", PASSWORD).await;
    app.add_member(&fabrikam, "finn@fabrikam.example", "technician")
        .await;

    let seen: StaffOverview = app
        .call(&contoso, "load_staff", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.organisation_name, "Contoso IT");
    let emails: Vec<_> = seen.members.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(emails, ["ada@contoso.example"]);

    let finn = app.member(&fabrikam, "finn@fabrikam.example").await;
    let hijack = app
        .call(
            &contoso,
            "change_role",
            &[("user_id", finn.id.as_str()), ("role", "viewer")],
        )
        .await;
    assert_eq!(hijack.status(), StatusCode::NOT_FOUND);
    let finn = app.member(&fabrikam, "finn@fabrikam.example").await;
    assert_eq!(finn.role, domain::Role::Technician);

    let page = contoso
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("fabrikam.example"));
}
