//! Admins' API tokens: what exists, who made it, when it was last used;
//! a new token is shown once; revoking takes effect at the next request.

use crate::api::api_tokens::{list_api_tokens, CreateApiToken, RevokeApiToken};
use crate::components::form::endpoint;
use crate::components::post_form::{After, PostForm};
use crate::model::ApiTokenView;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| list_api_tokens());
    view! {
        <Title text="API tokens"/>
        <h1>"API tokens"</h1>
        <p class="muted">"Scripts, PSA and RMM tools reach Tenantry's JSON API at " <code>"/api/v1"</code> " with a token sent as " <code>"Authorization: Bearer …"</code> ". " <a href="/api/v1/docs">"The API's documentation"</a> " lists what each scope allows. A token acts for the admin who made it, and stops working if that admin leaves or is no longer an admin."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) => view! { <TokenList tokens=list/> <NewToken/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokenList(tokens: Vec<ApiTokenView>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <section class="card"><p class="muted">"No API tokens yet."</p></section> }
            .into_any();
    }
    view! {
        <section class="card">
            <table class="api-tokens">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Scopes"</th><th scope="col">"Made by"</th>
                    <th scope="col">"Expires"</th><th scope="col">"Last used"</th><th scope="col">"State"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {tokens.into_iter().map(|token| {
                        let state = if token.revoked_at.is_some() { "Revoked" } else if token.active { "Active" } else { "Expired" };
                        let last_used = token.last_used_at.as_ref().map(|at| format!("{} from {}", at.date(), token.last_used_ip.clone().unwrap_or_default())).unwrap_or_else(|| "Never".to_owned());
                        let label = format!("Revoke {}", token.name);
                        view! {
                            <tr>
                                <td>{token.name.clone()}</td>
                                <td>{token.scopes.join(", ")}</td>
                                <td>{token.created_by.clone()}</td>
                                <td>{token.expires_at.as_ref().map(|at| at.date().to_owned()).unwrap_or_else(|| "Never".to_owned())}</td>
                                <td>{last_used}</td>
                                <td>{state}</td>
                                <td>{token.revoked_at.is_none().then(|| view! {
                                    <PostForm action={endpoint::<RevokeApiToken>()} after=After::Reload class="inline".to_owned()>
                                        <input type="hidden" name="token_id" value=token.id.to_string()/>
                                        <button type="submit" class="secondary small" aria-label=label>"Revoke"</button>
                                    </PostForm>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn NewToken() -> impl IntoView {
    view! {
        <section class="card">
            <h2>"New token"</h2>
            <PostForm action={endpoint::<CreateApiToken>()} after=After::Reveal { label: "Your new token: copy it now, it is not shown again".to_owned() } class=String::new()>
                <div class="field">
                    <label for="api-token-name">"Name"</label>
                    <p class="hint" id="api-token-name-hint">"Where it is used, such as PSA sync."</p>
                    <input id="api-token-name" name="form[name]" type="text" required=true maxlength="80" aria-describedby="api-token-name-hint" data-field="name"/>
                    <p class="field-error" data-error-for="name"></p>
                </div>
                <fieldset class="field" data-field="scopes">
                    <legend>"Scopes"</legend>
                    {domain::api_token::ApiScope::ALL.into_iter().map(|scope| {
                        let id = format!("api-token-scope-{}", scope.as_str());
                        let for_id = id.clone();
                        view! {
                            <label for=for_id class="choice">
                                <input id=id type="checkbox" name="form[scopes][]" value=scope.as_str()/>
                                {format!("{}: {}", scope.as_str(), scope.describe())}
                            </label>
                        }
                    }).collect_view()}
                    <p class="field-error" data-error-for="scopes"></p>
                </fieldset>
                <div class="field">
                    <label for="api-token-days">"Expires after (days)"</label>
                    <p class="hint" id="api-token-days-hint">"1 to 730; leave blank for a token that lasts until revoked."</p>
                    <input id="api-token-days" name="form[expires_in_days]" type="number" min="1" max="730" value="90" aria-describedby="api-token-days-hint" data-field="expires_in_days"/>
                    <p class="field-error" data-error-for="expires_in_days"></p>
                </div>
                <button type="submit">"Create token"</button>
            </PostForm>
        </section>
    }
}
