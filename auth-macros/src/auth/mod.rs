//! `#[auth(...)]`: parse (`parse`) → validate (`schemes`, `valid`) → expand (`expand`).

mod entry;
mod expand;
mod parse;
mod returned;
mod schemes;
mod valid;

use proc_macro2::TokenStream;
use quote::quote;

use crate::handler::Handler;

pub(crate) fn attribute(args: TokenStream, item: TokenStream) -> TokenStream {
    let handler = match syn::parse2::<Handler>(item.clone()) {
        Ok(handler) => handler,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let krate = crate::krate::find(args.clone()).unwrap_or_else(crate::krate::default_path);
    match valid::check(parse::parse_args(args), &handler) {
        Ok(model) => expand::expand(&model, handler),
        Err(error) => {
            // Keep the handler (minus our markers and the requirements this attribute
            // consumes) so the rest of the crate and rust-analyzer still see it, with its
            // user parameter already the guard, so that it still is an axum handler.
            let original = handler.fallback(&krate);
            let error = error.to_compile_error();
            quote!(#original #error)
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn errors(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> Vec<String> {
        let handler: crate::handler::Handler = syn::parse2(item).unwrap();
        match super::valid::check(super::parse::parse_args(args), &handler) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
        super::attribute(args, item).to_string()
    }

    #[test]
    fn reports_scheme_and_signature_mistakes_together() {
        let found = errors(
            quote!(jtw, api_key, api_key, custom()),
            quote!(
                fn h(x: u8) {}
            ),
        );
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found[0].contains("did you mean `jwt`"), "{found:#?}");
        assert!(found[1].contains("listed twice"), "{found:#?}");
        assert!(found[2].contains("`custom()` needs the type"), "{found:#?}");
        assert!(
            found.iter().any(|e| e.contains("must be `async fn`")),
            "{found:#?}"
        );
        assert!(
            found.iter().any(|e| e.contains("no user parameter")),
            "{found:#?}"
        );
    }

    #[test]
    fn accepts_marked_and_named_users() {
        for (args, item) in [
            (
                quote!(jwt),
                quote!(
                    async fn h(user: User) {}
                ),
            ),
            (
                quote!(jwt, optional),
                quote!(
                    async fn h(#[user] who: Option<User>) {}
                ),
            ),
            (
                quote!(jwt, crate = ::my::portcullis),
                quote!(
                    async fn h(mut user: User) {}
                ),
            ),
            (
                quote!(custom(a::Hmac), jwt),
                quote!(
                    async fn h(user: User) {}
                ),
            ),
        ] {
            assert!(errors(args, item).is_empty());
        }
    }

    #[test]
    fn the_user_parameter_becomes_a_tuple_of_scheme_types() {
        let out = expand(
            quote!(jwt, custom(sign::Hmac), api_key, crate = gate),
            quote!(
                async fn h(user: User) -> String {
                    user.name
                }
            ),
        );
        // Generic over the router's state and the way the gate is reached from it.
        assert!(
            out.starts_with(
                "async fn h < __PortcullisState , __PortcullisVia > (__portcullis_auth : gate :: __private :: Guarded < gate :: __private :: Authenticated < User , (gate :: __private :: schemes :: Jwt , sign :: Hmac , gate :: __private :: schemes :: ApiKey ,) > , __PortcullisState , __PortcullisVia >) -> String where __PortcullisState : gate :: __private :: HasGate < User , __PortcullisVia > { let __portcullis_auth = gate :: __private :: Guarded :: into_inner (__portcullis_auth) ;"
            ),
            "{out}"
        );
        // The custom type is checked against the runtime's trait, on its own tokens.
        assert!(out.contains("gate :: __private :: AuthScheme < __U >"), "{out}");
        assert!(out.contains("< sign :: Hmac , User >"), "{out}");
        assert!(!out.contains("axum"), "{out}");
        assert!(!out.contains("Result"), "no requirement, no refusal: {out}");

        let out = expand(
            quote!(basic, session, optional),
            quote!(
                async fn h(user: Option<User>) {}
            ),
        );
        assert!(
            out.contains(
                ":: portcullis :: __private :: MaybeAuthenticated < User , (:: portcullis :: __private :: schemes :: Basic , :: portcullis :: __private :: schemes :: Session ,) >"
            ),
            "{out}"
        );
    }

    #[test]
    fn requirements_are_consumed_and_refuse_with_the_neutral_type() {
        let out = expand(
            quote!(jwt),
            quote! {
                #[require(role = "admin")]
                #[portcullis::permissions("posts:write")]
                async fn h(user: User) -> u8 { 1 }
            },
        );
        assert!(!out.contains("# [require"), "{out}");
        assert!(!out.contains("permissions (\"posts:write\")]"), "{out}");
        assert!(out.contains("use require as _ ;"), "{out}");
        assert!(!out.contains("use permissions"), "{out}");
        assert!(
            out.contains("-> :: core :: result :: Result < u8 , :: portcullis :: __private :: Refusal >"),
            "{out}"
        );
        assert!(
            out.contains("__private :: unmet (__scheme , __requirement)"),
            "{out}"
        );
        assert!(!out.contains("Response"), "{out}");
    }

    #[test]
    fn with_requirements_the_other_extractors_are_deferred() {
        let out = expand(
            quote!(jwt),
            quote! {
                #[require(owner(post.author_id) || role = "admin")]
                async fn h(Path(id): Path<i64>, user: User, post: Option<Post>, info: AuthInfo, mut body: Json<V>) -> u8 { 1 }
            },
        );
        let p = ":: portcullis :: __private ::";
        // The owner's resource stays an ordinary parameter; the others wait, the last
        // one (a body) in `DeferredBody`, in their order.
        assert!(
            out.contains(&format!(
                "(__portcullis_auth : {p} Guarded < {p} Authenticated < User , ({p} schemes :: Jwt ,) > , __PortcullisState , __PortcullisVia > , __portcullis_p0 : {p} Deferred < Path < i64 > > , post : Option < Post > , __portcullis_p2 : {p} DeferredBody < Json < V > >)"
            )),
            "{out}"
        );
        let check = out.find("__private :: unmet (").unwrap();
        let first = out
            .find(&format!(
                "let Path (id) : Path < i64 > = match {p} Deferred :: resolve (__portcullis_p0) . await"
            ))
            .unwrap();
        let second = out
            .find(&format!(
                "let mut body : Json < V > = match {p} DeferredBody :: resolve (__portcullis_p2) . await"
            ))
            .unwrap();
        let user = out.find("let user : User = __portcullis_auth . user").unwrap();
        assert!(check < first && first < second && second < user, "{out}");
        assert!(
            out.contains("Err (__refusal) => return :: core :: result :: Result :: Err (__refusal)"),
            "{out}"
        );

        // Without requirements nothing is deferred.
        let out = expand(
            quote!(jwt),
            quote!(
                async fn h(user: User, body: Json<V>) {}
            ),
        );
        assert!(!out.contains("Deferred"), "{out}");
        // A body extractor written before the user is still the last one axum sees.
        let out = expand(
            quote!(jwt),
            quote! {
                #[require(role = "admin")]
                async fn h(body: Json<V>, user: User) {}
            },
        );
        assert!(
            out.contains("__portcullis_p0 : :: portcullis :: __private :: DeferredBody < Json < V > >"),
            "{out}"
        );
    }

    #[test]
    fn a_misspelt_owner_is_one_error_even_with_a_resource_marker() {
        let found = errors(
            quote!(jwt),
            quote! {
                #[require(owner(pots.author_id))]
                async fn h(user: User, #[resource] post: Post) {}
            },
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("did you mean `post`"), "{found:#?}");
        // Without the misspelling, an unnamed `#[resource]` is still refused.
        let found = errors(
            quote!(jwt),
            quote! {
                #[require(role = "admin")]
                async fn h(user: User, #[resource] post: Post) {}
            },
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].contains("but neither names this parameter"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_hand_written_checked_marker_is_refused() {
        let found = errors(
            quote!(jwt),
            quote! {
                #[require(__portcullis_checked)]
                async fn h(user: User) {}
            },
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("unknown requirement `__portcullis_checked`"),
            "{found:#?}"
        );
    }
}
