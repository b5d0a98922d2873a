use crate::backend::db::Db;
use crate::backend::users::{self, NewUser};
use crate::backend::{begin, db, Backend};
use crate::error::AppError;
use crate::ids::OrganisationId;
use crate::timestamp::Timestamp;
use domain::{DisplayName, Email, OrganisationName, Password, Role};

pub async fn any_exist(pool: &Db) -> Result<bool, AppError> {
    let (count,): (i64,) = crate::on_db!(pool, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM organisations"
    )
    .fetch_one(c)
    .await)
    .map_err(db("could not count organisations"))?;
    Ok(count > 0)
}

pub struct NewOrganisation {
    pub name: OrganisationName,
    pub admin_name: DisplayName,
    pub admin_email: Email,
    pub admin_password: Password,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlyIfFirst {
    Yes,
    No,
}

/// Creates an organisation and its first admin in one transaction. With
/// `OnlyIfFirst::Yes` it refuses when any organisation exists, which is what
/// makes first-run set-up impossible to repeat.
pub async fn create_with_admin(
    backend: &Backend,
    new: &NewOrganisation,
    only_if_first: OnlyIfFirst,
) -> Result<OrganisationId, AppError> {
    let password_hash = backend.passwords.hash(&new.admin_password).await?;
    let at = Timestamp::of(backend.now());
    let mut tx = begin(&backend.pool).await?;
    if only_if_first == OnlyIfFirst::Yes {
        let (count,): (i64,) = crate::on_db!(&mut tx, |c| sqlx::query_as(
            "SELECT COUNT(*) FROM organisations"
        )
        .fetch_one(c)
        .await)
        .map_err(db("could not count organisations"))?;
        if count > 0 {
            return Err(AppError::Gone(
                "Tenantry has already been set up. Sign in instead.".to_owned(),
            ));
        }
    }
    let organisation_id = OrganisationId::generate();
    crate::execute_on!(
        &mut tx,
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&organisation_id)
            .bind(new.name.as_str())
            .bind(&at)
    )
    .map_err(db("could not create an organisation"))?;
    users::insert(
        &mut tx,
        NewUser {
            organisation_id: &organisation_id,
            email: &new.admin_email,
            display_name: &new.admin_name,
            password_hash: &password_hash,
            role: Role::Admin,
        },
        &at,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save the new organisation"))?;
    Ok(organisation_id)
}
