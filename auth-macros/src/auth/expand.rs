//! Code generation for `#[auth]`: the user parameter becomes the runtime's extractor;
//! requirements become checks run before the body and before the other extractors
//! (deferred until the checks pass).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::schemes::Scheme;
use super::valid::AuthModel;
use crate::handler::{Handler, is_marker};
use crate::requirement::expand::{Scope, verdict};
use crate::requirement::expr::{Atom, Expr};

pub(super) fn expand(model: &AuthModel, handler: Handler) -> TokenStream {
    // `#[require]` / `#[permissions]` are compiled here and their attributes consumed;
    // uses of their bare names keep the user's imports of them used.
    let imports = handler.requirement_imports();
    let attrs: Vec<syn::Attribute> = handler.kept_attrs().cloned().collect();
    let entry = super::entry::entry(model, &handler.sig);
    let Handler {
        vis, mut sig, body, ..
    } = handler;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let auth = syn::Ident::new("__portcullis_auth", Span::mixed_site());

    let extractor = if model.optional {
        quote!(MaybeAuthenticated)
    } else {
        quote!(Authenticated)
    };
    let user_ty = &model.user_ty;
    // Only the user type keeps its span: errors about it (not `AuthUser`) land on it.
    let extractor_path = crate::respan::respan(quote!(#private::#extractor), user_ty.span());
    let schemes = model.schemes.iter().map(|scheme| match scheme {
        Scheme::BuiltIn(ty) => quote!(#private::schemes::#ty),
        Scheme::Custom(path) => quote!(#path),
    });
    // The punctuation too: rustc's errors about the whole type (`Visitor` is no
    // `AuthUser`) then land on the user type, not on the attribute.
    let auth_ty = quote_spanned!(user_ty.span()=> #extractor_path<#user_ty, (#(#schemes,)*)>);
    let checks = model.schemes.iter().filter_map(|scheme| match scheme {
        Scheme::Custom(path) => Some(scheme_check(path, user_ty, &private)),
        Scheme::BuiltIn(_) => None,
    });
    let checks = quote!(#(#checks)*);

    // The names a policy may be passed: the user and `AuthInfo` parameters.
    let name_of = |index: Option<usize>| match index.and_then(|i| sig.inputs.iter().nth(i)) {
        Some(syn::FnArg::Typed(arg)) => match &*arg.pat {
            syn::Pat::Ident(p) => Some(p.ident.clone()),
            _ => None,
        },
        _ => None,
    };
    let (user_name, info_name) = (name_of(Some(model.user)), name_of(model.info));
    // Checks on the returned value still need the user and `AuthInfo`: the body gets
    // clones.
    let on_returned = model.require_returned.is_some() || model.filter_returned.is_some();
    let take = |field: TokenStream| {
        if on_returned {
            quote!(::core::clone::Clone::clone(&#auth.#field))
        } else {
            quote!(#auth.#field)
        }
    };
    let mut bindings = Vec::new();
    let mut inputs: Vec<syn::PatType> = Vec::new();
    for (index, input) in std::mem::take(&mut sig.inputs).into_iter().enumerate() {
        let syn::FnArg::Typed(mut arg) = input else {
            continue;
        };
        arg.attrs.retain(|a| !is_marker(a));
        let (pat, ty) = (&arg.pat, &arg.ty);
        if index == model.user {
            let user = take(quote!(user));
            bindings.push(quote_spanned!(ty.span()=> let #pat: #ty = #user;));
        } else if Some(index) == model.info {
            let info = take(quote!(info));
            bindings.push(quote_spanned!(ty.span()=> let #pat: #ty = #info;));
        } else {
            inputs.push(arg);
        }
    }
    // With requirements, the other extractors wait until the checks have passed.
    let resolutions = match &model.requirement {
        Some(requirement) => defer(&mut inputs, requirement, &private),
        None => Vec::new(),
    };
    // `#[resource]` parameters: the adapter loads them; the handler decides (404, 503)
    // once the user is authenticated, before the checks.
    let mut loads = Vec::new();
    for (index, arg) in inputs.iter_mut().enumerate() {
        let is_loaded = matches!(&*arg.pat, syn::Pat::Ident(p) if model.loaded_resources.contains(&p.ident));
        if !is_loaded {
            continue;
        }
        let ident = syn::Ident::new(&format!("__portcullis_r{index}"), Span::mixed_site());
        let (pat, ty) = (&arg.pat, &arg.ty);
        let loaded = crate::respan::respan(quote!(#private::Loaded), ty.span());
        loads.push(quote! {
            let #pat: #ty = match #auth.resource(#ident) {
                ::core::result::Result::Ok(__value) => __value,
                ::core::result::Result::Err(__refusal) => return ::core::result::Result::Err(__refusal),
            };
        });
        *arg.ty = syn::parse_quote!(#loaded<#ty>);
        *arg.pat = syn::parse_quote!(#ident);
    }
    let guarded = guarded(&mut sig, &auth_ty, user_ty, &private);
    sig.inputs.push(syn::parse_quote!(#auth: #guarded));
    sig.inputs.extend(inputs.into_iter().map(syn::FnArg::Typed));
    // On the user type, like the parameter: a user type that is no `AuthUser` is then
    // one error there (rustc merges identical errors at one place).
    let into_inner = crate::respan::respan(quote!(#private::Guarded::into_inner), user_ty.span());
    let unwrap = quote_spanned!(user_ty.span()=> let #auth = #into_inner(#auth););
    let checks = quote! {
        #unwrap
        #checks
    };

    if model.requirement.is_none() && !on_returned {
        return quote! {
            #(#attrs)*
            #vis #sig {
                #imports
                #checks
                #entry
                #(#bindings)*
                #body
            }
        };
    };

    // With requirements the handler may answer 404/403 itself: its return type `R`
    // becomes `Result<R, Refusal>` and the body runs in an async block, so that a
    // `return` or `?` in it keeps its meaning.
    let output = match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    sig.output = syn::parse_quote!(-> ::core::result::Result<#output, #private::Refusal>);

    let names =
        ["__user", "__info", "__roles", "__permissions"].map(|n| syn::Ident::new(n, Span::mixed_site()));
    let [user, info, roles, permissions] = &names;
    let some = quote!(::core::option::Option::Some);
    let argument = |name: &syn::Ident| {
        if user_name.as_ref() == Some(name) {
            quote!(#some(#user))
        } else if info_name.as_ref() == Some(name) {
            quote!(#some(#info))
        } else if model.optional_resources.contains(name) {
            quote!(#name.as_ref())
        } else {
            quote!(#some(&#name))
        }
    };
    let scope = Scope {
        private: &private,
        user_ty,
        user,
        info,
        roles,
        permissions,
        optional_params: &model.optional_resources,
        argument: &argument,
        awaits: true,
    };
    // `hide_existence`: a denial reads like a missing resource (404).
    let unmet = if model.hide_existence {
        quote!(#private::unmet_hidden)
    } else {
        quote!(#private::unmet)
    };
    let before = model.requirement.as_ref().map(|requirement| {
        let check = verdict(requirement, &scope);
        let (role_mask, permission_mask) = super::returned::masks(requirement, user, &private);
        quote! {
            {
                let #user: &#user_ty = &#auth.user;
                let #info: &#private::AuthInfo = &#auth.info;
                let #roles: u64 = #role_mask;
                let #permissions: u64 = #permission_mask;
                let __verdict: ::core::result::Result<(), &'static str> = #check;
                if let ::core::result::Result::Err(__requirement) = __verdict {
                    let __scheme = #info.scheme();
                    return ::core::result::Result::Err(#auth.refuse(#unmet(__scheme, __requirement)));
                }
            }
        }
    });
    let run = if on_returned {
        let returned = syn::Ident::new("__returned", Span::mixed_site());
        let cx = super::returned::Context {
            private: &private,
            user_ty,
            auth: &auth,
            user_name: user_name.as_ref(),
            info_name: info_name.as_ref(),
            output: &output,
            unmet: &unmet,
        };
        let after = super::returned::checks(
            &returned,
            model.require_returned.as_ref(),
            model.filter_returned.as_ref(),
            &cx,
        );
        quote! {
            #[allow(unused_mut)]
            let mut #returned = async move #body.await;
            #after
            ::core::result::Result::Ok(#returned)
        }
    } else {
        quote!(::core::result::Result::Ok(async move #body.await))
    };
    let not_found = model.optional_resources.iter().map(|param| {
        quote! {
            if #param.is_none() {
                return ::core::result::Result::Err(#auth.refuse(#private::AuthError::NotFound));
            }
        }
    });
    quote! {
        #(#attrs)*
        #vis #sig {
            #imports
            #checks
            #entry
            #(#not_found)*
            #(#loads)*
            #before
            #(#resolutions)*
            #(#bindings)*
            #run
        }
    }
}

/// Makes the handler generic over the router's state and the way the gate is reached
/// from it (`__PortcullisState: HasGate<User, __PortcullisVia>`, spanned on the user
/// type) and returns the guard parameter's type, `Guarded<guard, state, via>`: a state
/// without the gate is one error, in `HasGate`'s words, at the route (see the runtime's
/// `state` module).
pub(crate) fn guarded(
    sig: &mut syn::Signature,
    guard: &TokenStream,
    user_ty: &syn::Type,
    private: &TokenStream,
) -> TokenStream {
    let state = syn::Ident::new("__PortcullisState", Span::call_site());
    let via = syn::Ident::new("__PortcullisVia", Span::call_site());
    sig.generics.params.push(syn::parse_quote!(#state));
    sig.generics.params.push(syn::parse_quote!(#via));
    let bound = crate::respan::respan(quote!(#state: #private::HasGate<#user_ty, #via>), user_ty.span());
    sig.generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(#bound));
    let guarded = crate::respan::respan(quote!(#private::Guarded), user_ty.span());
    quote_spanned!(user_ty.span()=> #guarded<#guard, #state, #via>)
}

/// Wraps every parameter the checks do not need (all but the resources named in
/// `owner(...)`) in the runtime's deferred extractors — the last parameter in
/// `DeferredBody`, the others in `Deferred` — and returns the statements that run them,
/// in order, once the checks have passed; an extractor's rejection is answered as it is.
///
/// "Last" is the last parameter of the generated handler (the user and `AuthInfo`
/// parameters are gone from it), so that a body extractor written before the user
/// parameter stays in the one position axum lets read the body.
fn defer(inputs: &mut [syn::PatType], requirement: &Expr, private: &TokenStream) -> Vec<TokenStream> {
    // Resources the checks read: named in `owner(...)` or passed to a policy.
    let owners: Vec<&syn::Ident> = requirement
        .atoms()
        .into_iter()
        .flat_map(|atom| match atom {
            Atom::Owner { param, .. } => vec![param],
            Atom::Policy { args, .. } => args.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let last = inputs.len().checked_sub(1);
    let value = syn::Ident::new("__value", Span::mixed_site());
    let refusal = syn::Ident::new("__refusal", Span::mixed_site());
    let mut resolutions = Vec::new();
    for (index, arg) in inputs.iter_mut().enumerate() {
        let is_owner = matches!(&*arg.pat, syn::Pat::Ident(p) if owners.contains(&&p.ident));
        if is_owner {
            continue;
        }
        let wrapper = if Some(index) == last {
            quote!(DeferredBody)
        } else {
            quote!(Deferred)
        };
        let ident = syn::Ident::new(&format!("__portcullis_p{index}"), Span::mixed_site());
        let (pat, ty) = (&arg.pat, &arg.ty);
        let wrapper_path = crate::respan::respan(quote!(#private::#wrapper), ty.span());
        resolutions.push(quote! {
            let #pat: #ty = match #private::#wrapper::resolve(#ident).await {
                ::core::result::Result::Ok(#value) => #value,
                ::core::result::Result::Err(#refusal) => return ::core::result::Result::Err(#refusal),
            };
        });
        *arg.ty = syn::parse_quote!(#wrapper_path<#ty>);
        *arg.pat = syn::parse_quote!(#ident);
    }
    resolutions
}

/// A check that a `custom(Type)` scheme implements the runtime's `AuthScheme<User>`,
/// spanned on the type's path in the attribute, so that rustc's error (and the trait's
/// `#[diagnostic::on_unimplemented]` message) lands there.
fn scheme_check(path: &syn::Path, user_ty: &syn::Type, private: &TokenStream) -> TokenStream {
    let first = path
        .segments
        .first()
        .map_or_else(Span::call_site, |s| s.ident.span());
    let last = path.segments.last().map_or(first, |s| s.ident.span());
    let check = syn::Ident::new("__portcullis_is_auth_scheme", first);
    let bound = crate::respan::respan(quote!(#private::AuthScheme<__U>), last);
    let close = quote_spanned!(last=> >());
    quote! {
        {
            #[allow(clippy::extra_unused_type_parameters)]
            fn #check<__S: #bound, __U: #private::AuthUser>() {}
            #check::<#path, #user_ty #close;
        }
    }
}
