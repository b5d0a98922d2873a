//! Scripts that create a registration in one go, for admins who prefer a
//! shell to the portal: Microsoft Graph PowerShell, and the Azure CLI with a
//! `requiredResourceAccess` manifest. Built from the catalog's GUIDs; consent
//! is still granted afterwards, as in the portal.

use crate::permissions::{self, GRAPH_RESOURCE_APP_ID};
use crate::profile::{combined_requirements, Profile};
use crate::Cloud;

/// (GUID, "Role" | "Scope", permission name) for every permission the profiles ask for.
fn access(profiles: &[Profile]) -> Vec<(String, &'static str, String)> {
    combined_requirements(profiles)
        .into_iter()
        .filter_map(|r| {
            let id = permissions::find(&r.permission)?.id(r.kind)?.to_owned();
            Some((id, r.kind.manifest_type(), r.permission))
        })
        .collect()
}

/// The `requiredResourceAccess` manifest, as `az ad app create` takes it.
pub fn manifest(profiles: &[Profile]) -> String {
    let entries: Vec<serde_json::Value> = access(profiles)
        .into_iter()
        .map(|(id, kind, _)| serde_json::json!({"id": id, "type": kind}))
        .collect();
    let manifest =
        serde_json::json!([{"resourceAppId": GRAPH_RESOURCE_APP_ID, "resourceAccess": entries}]);
    serde_json::to_string_pretty(&manifest).unwrap_or_default()
}

fn sovereign_note(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Global | Cloud::Gcc => "",
        _ => "# The permission IDs are those of the global cloud; they match for these permissions, but\n# compare with your tenant's Microsoft Graph service principal if the script is refused.\n",
    }
}

fn single_quoted(text: &str) -> String {
    text.replace('\'', "''")
}

/// `redirect_uri` is where Microsoft sends the admin back after granting
/// consent (Tenantry's `/consent/callback`), so Tenantry re-checks at once;
/// none for an app that never goes through Tenantry's consent (recovery).
pub fn powershell(
    profiles: &[Profile],
    app_name: &str,
    cloud: Cloud,
    redirect_uri: Option<&str>,
) -> String {
    let environment = match cloud {
        Cloud::Global | Cloud::Gcc => "Global",
        Cloud::GccHigh => "USGov",
        Cloud::Dod => "USGovDoD",
        Cloud::China => "China",
    };
    let lines: Vec<String> = access(profiles)
        .into_iter()
        .map(|(id, kind, name)| format!("    @{{ Id = '{id}'; Type = '{kind}' }}  # {name}"))
        .collect();
    format!(
        "{note}# Needs the Microsoft.Graph PowerShell module and an account that may create applications.\n\
Connect-MgGraph -Environment {environment} -Scopes 'Application.ReadWrite.All'\n\
$access = @(\n{lines}\n)\n\
$app = New-MgApplication -DisplayName '{name}' -SignInAudience 'AzureADMyOrg' `\n{redirect}    -RequiredResourceAccess @(@{{ ResourceAppId = '{graph}'; ResourceAccess = $access }})\n\
\"Application (client) ID: $($app.AppId)\"\n\
\"Object ID: $($app.Id)\"\n\
\"Directory (tenant) ID: $((Get-MgContext).TenantId)\"\n\
# Next: grant admin consent for the permissions, then create the credential.\n",
        note = sovereign_note(cloud),
        lines = lines.join("\n"),
        name = single_quoted(app_name),
        redirect = redirect_uri
            .map(|uri| format!("    -Web @{{ RedirectUris = @('{}') }} `\n", single_quoted(uri)))
            .unwrap_or_default(),
        graph = GRAPH_RESOURCE_APP_ID,
    )
}

pub fn azure_cli(
    profiles: &[Profile],
    app_name: &str,
    cloud: Cloud,
    redirect_uri: Option<&str>,
) -> String {
    let az_cloud = match cloud {
        Cloud::Global | Cloud::Gcc => "AzureCloud",
        Cloud::GccHigh | Cloud::Dod => "AzureUSGovernment",
        Cloud::China => "AzureChinaCloud",
    };
    format!(
        "{note}az cloud set --name {az_cloud}\naz login --allow-no-subscriptions\ncat > tenantry-manifest.json <<'JSON'\n{manifest}\nJSON\n\
az ad app create --display-name '{name}' --sign-in-audience AzureADMyOrg \\\n    {redirect}--required-resource-accesses @tenantry-manifest.json --query '{{clientId: appId, objectId: id}}'\n\
# Next: grant admin consent for the permissions, then create the credential.\n",
        note = sovereign_note(cloud),
        manifest = manifest(profiles),
        name = app_name.replace('\'', "'\\''"),
        redirect = redirect_uri
            .map(|uri| format!("--web-redirect-uris '{}' ", uri.replace('\'', "'\\''")))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    #[test]
    fn the_manifest_carries_the_catalog_guids_with_role_and_scope_types() {
        let manifest: serde_json::Value =
            serde_json::from_str(&manifest(&[profile::device_inventory()])).unwrap();
        assert_eq!(manifest[0]["resourceAppId"], GRAPH_RESOURCE_APP_ID);
        let access = manifest[0]["resourceAccess"].as_array().unwrap();
        assert_eq!(access.len(), 10);
        let user_read = permissions::find("User.Read")
            .unwrap()
            .id(crate::PermissionKind::Delegated)
            .unwrap();
        assert!(access
            .iter()
            .any(|a| a["id"] == user_read && a["type"] == "Scope"));
        let audit = permissions::find("User.Read.All")
            .unwrap()
            .id(crate::PermissionKind::Application)
            .unwrap();
        assert!(access
            .iter()
            .any(|a| a["id"] == audit && a["type"] == "Role"));
    }

    #[test]
    fn scripts_name_the_cloud_and_every_permission() {
        let profiles = [profile::recovery()];
        let back = Some("https://tenantry.example/consent/callback");
        let ps = powershell(&profiles, "Tenantry Recovery", Cloud::GccHigh, back);
        assert!(ps.contains("RedirectUris = @('https://tenantry.example/consent/callback')"));
        assert!(ps.contains("-Environment USGov "));
        assert!(ps.contains("b0afded3-3588-46d8-8b3d-9842eff778da"));
        assert!(ps.contains("# AuditLog.Read.All"));
        assert!(ps.contains("global cloud"));
        let cli = azure_cli(&profiles, "O'Brien's app", Cloud::China, back);
        assert!(cli.contains("--web-redirect-uris 'https://tenantry.example/consent/callback'"));
        assert!(cli.contains("az cloud set --name AzureChinaCloud"));
        assert!(cli.contains("'O'\\''Brien'\\''s app'"));
        assert!(!powershell(&profiles, "x", Cloud::Global, back).contains("global cloud"));
        let no_redirect = powershell(&profiles, "Tenantry Recovery", Cloud::Global, None);
        assert!(!no_redirect.contains("RedirectUris"));
        assert!(
            no_redirect.contains("-SignInAudience 'AzureADMyOrg' `\n    -RequiredResourceAccess")
        );
        assert!(!azure_cli(&profiles, "x", Cloud::Global, None).contains("--web-redirect-uris"));
    }
}
