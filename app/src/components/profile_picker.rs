use leptos::prelude::*;

/// Checkboxes for the products Tenantry supports. The chosen profile ids
/// travel in one hidden field called `name`, comma-separated, which is how
/// the server functions take them.
#[component]
pub fn ProfilePicker(
    legend: &'static str,
    name: &'static str,
    chosen: RwSignal<Vec<String>>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <input type="hidden" name=name prop:value=move || chosen.get().join(",")/>
        <fieldset class="field">
            <legend>{legend}</legend>
            {domain::profile::built_in().into_iter().map(|profile| {
                let id = profile.id;
                view! {
                    <label class="check">
                        <input type="checkbox" on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|list| {
                                list.retain(|p| p != &id);
                                if on {
                                    list.push(id.clone());
                                }
                            });
                        }/>
                        {profile.name}
                    </label>
                }
            }).collect_view()}
            {error.map(|error| view! { <p class="field-error">{move || error.get()}</p> })}
        </fieldset>
    }
}
