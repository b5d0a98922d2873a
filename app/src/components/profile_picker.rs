use leptos::prelude::*;

/// The products to choose from, as (id, name): read on the server, so the
/// browser does not carry every product's permission table.
pub fn product_choices() -> Vec<(String, String)> {
    domain::profile::built_in()
        .into_iter()
        .map(|profile| (profile.id, profile.name))
        .collect()
}

/// Checkboxes for the products Tenantry supports. The chosen profile ids
/// travel in one field called `name`, comma-separated, which is how the
/// server functions take them: inside an island through the hidden field
/// and `chosen`; in a form sent in the background (`post_form.rs`) by
/// joining the checked boxes (`data-join`).
#[component]
pub fn ProfilePicker(
    legend: &'static str,
    name: &'static str,
    chosen: RwSignal<Vec<String>>,
    /// From `product_choices`.
    products: Vec<(String, String)>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let first = chosen.get_untracked();
    view! {
        // Without the browser's help the field stays empty and the server
        // asks for a product, rather than saving what was there before.
        <input type="hidden" name=name prop:value=move || chosen.get().join(",")/>
        <fieldset class="field">
            <legend>{legend}</legend>
            {products.into_iter().map(|(id, product)| {
                let checked = first.contains(&id);
                view! {
                    <label class="check">
                        <input type="checkbox" value=id.clone() data-join=name checked=checked on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|list| {
                                list.retain(|p| p != &id);
                                if on {
                                    list.push(id.clone());
                                }
                            });
                        }/>
                        {product}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" data-error-for="profiles">{move || error.and_then(|error| error.get())}</p>
        </fieldset>
    }
}
