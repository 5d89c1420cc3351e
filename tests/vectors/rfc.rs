//! The JWS examples of RFC 7515 appendix A, RFC 7520 §4 and RFC 8037 A.4
//! (`rfc/jws_examples.json`); each valid one also with its signature altered, which
//! must be refused.

use crate::jws::{record, verify};
use crate::tally::{Tally, load, text};

#[test]
fn rfc_jws_examples() {
    portcullis::install_crypto_provider();
    let file = load("rfc/jws_examples.json");
    let mut tally = Tally::new("rfc/jws_examples.json");
    let mut tampered = Tally::new("rfc/jws_examples.json, signatures altered");
    for vector in file["vectors"].as_array().unwrap() {
        let source = text(vector, "source");
        let jws = text(vector, "jws");
        let outcome = verify(&vector["key"], jws);
        match text(vector, "expect") {
            "valid" => {
                record(&mut tally, source, true, outcome);
                // The last character of the signature changed: another signature.
                let last = jws.chars().last().unwrap();
                let altered = format!("{}{}", &jws[..jws.len() - 1], if last == 'A' { 'Q' } else { 'A' });
                record(&mut tampered, source, false, verify(&vector["key"], &altered));
            }
            "refused" => match outcome {
                Err(reason) => {
                    println!("{source}: refused ({reason})");
                    tally.rule(text(vector, "reason"));
                }
                Ok(_) => tally.fail(format!("{source}: must be refused, was verified")),
            },
            other => panic!("{source}: unknown expectation {other:?}"),
        }
    }
    tally.finish(
        7,
        0,
        &[
            ("P-521 (ES512) is not an algorithm Portcullis accepts", 1),
            ("unsigned tokens are refused", 1),
        ],
    );
    tampered.finish(0, 7, &[]);
}
