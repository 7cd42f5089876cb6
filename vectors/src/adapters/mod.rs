//! The two in-process implementations of [`crate::conformance::Conformance`]:
//! the executable specification ([`spec::Spec`], the oracle) and the
//! optimized implementation ([`imp::Impl`]). Both are thin: each method
//! reads its typed input, calls the implementation and writes its typed
//! output.

/// The methods whose text is the same in both adapters: for these ops the
/// spec and the impl mirror each other's API (same module and function
/// names, resolved where the macro is invoked), so they are written once.
/// `$read` is the adapter's reading of a fixed-length input (the spec:
/// `InvalidLength` on another length; the impl: `Unsupported`).
macro_rules! mirrored {
    ($read:ident) => {
        fn ed25519_public(&mut self, i: &w::ed25519::SeedIn) -> Answer<w::ed25519::PublicOut> {
            Ok(w::ed25519::PublicOut {
                public: ed25519::public_key(&$read(&i.seed)?).into(),
            })
        }
        fn ed25519_sign(&mut self, i: &w::ed25519::SignIn) -> Answer<w::ed25519::SigOut> {
            Ok(w::ed25519::SigOut {
                sig: ed25519::sign(&$read(&i.seed)?, &i.msg).into(),
            })
        }
        fn ed25519_verify(&mut self, i: &w::ed25519::VerifyIn) -> Answer<w::ed25519::ValidOut> {
            let (public, sig) = ($read(&i.public)?, $read(&i.sig)?);
            Ok(w::ed25519::ValidOut {
                valid: ed25519::verify(&public, &i.msg, &sig).is_ok(),
            })
        }
        fn handle_parse(&mut self, i: &w::handle::ParseIn) -> Answer<w::handle::ParseOut> {
            let h = parse(&i.handle)?;
            Ok(w::handle::ParseOut {
                canonical: handle::handle_bytes(&h).into(),
                encoded: handle::enc_handle(&h).into(),
            })
        }
        fn identity_decode(
            &mut self,
            i: &w::identity::IdentityIn,
        ) -> Answer<w::identity::DecodeOut> {
            let id = identity::decode(&i.identity)?;
            Ok(w::identity::DecodeOut::new(
                &handle::handle_bytes(&id.handle),
                &id.sig_pub,
                &id.dh_pub,
                &id.binding,
            ))
        }
        fn identity_verify(&mut self, i: &w::identity::IdentityIn) -> Answer<w::identity::Empty> {
            identity::verify(&identity::decode(&i.identity)?)?;
            Ok(w::identity::Empty {})
        }
        fn bundle_decode(&mut self, i: &w::bundle::BundleIn) -> Answer<w::bundle::DecodeOut> {
            let b = bundle::decode(&i.bundle)?;
            Ok(crate::bundle_decode_out!(
                b,
                identity::encode,
                bundle::kind_byte
            ))
        }
        fn ratchet_hdecrypt(
            &mut self,
            i: &w::ratchet::HdecryptIn,
        ) -> Answer<w::ratchet::HdecryptOut> {
            let h = ratchet::hdecrypt(&$read(&i.hk)?, &i.enc_header);
            Ok(w::ratchet::HdecryptOut::of(
                h.as_ref().map(|h| (&h.dh, h.pn, h.n)),
            ))
        }
        fn content_decode(&mut self, i: &w::content::EncodedIn) -> Answer<ContentFields> {
            Ok(content_out(&content::decode(&i.encoded)?))
        }
        fn fingerprint(
            &mut self,
            i: &w::fingerprint::FingerprintIn,
        ) -> Answer<w::fingerprint::FingerprintOut> {
            let fp = fingerprint::fingerprint(&identity::decode(&i.identity)?);
            Ok(w::fingerprint::FingerprintOut {
                fingerprint: String::from_utf8_lossy(&fp).into(),
            })
        }
        fn safety_number(
            &mut self,
            i: &w::fingerprint::SafetyIn,
        ) -> Answer<w::fingerprint::SafetyOut> {
            let (a, b) = (identity::decode(&i.a)?, identity::decode(&i.b)?);
            let sn = fingerprint::safety_number(&a, &b);
            Ok(w::fingerprint::SafetyOut {
                safety_number: String::from_utf8_lossy(&sn).into(),
            })
        }
        fn aes_ctr(&mut self, i: &w::aes::CtrIn) -> Answer<w::aes::CtrOut> {
            Ok(w::aes::CtrOut {
                output: aes_ctr::aes_ctr(&i.key, &$read(&i.icb)?, &i.input)?.into(),
            })
        }
        fn sframe_header_encode(
            &mut self,
            i: &w::sframe::HeaderFields,
        ) -> Answer<w::sframe::HeaderOut> {
            let h = sframe::Header {
                kid: i.kid,
                ctr: i.ctr,
            };
            Ok(w::sframe::HeaderOut {
                header: sframe::encode_header(&h).into(),
            })
        }
        fn sframe_header_decode(
            &mut self,
            i: &w::sframe::DecodeIn,
        ) -> Answer<w::sframe::DecodeOut> {
            let (h, len) = sframe::decode_header(&i.data)?;
            Ok(w::sframe::DecodeOut {
                kid: h.kid,
                ctr: h.ctr,
                header_len: u64::try_from(len).map_err(Error::bad_request)?,
            })
        }
        fn sframe_derive(&mut self, i: &w::sframe::DeriveIn) -> Answer<w::sframe::DeriveOut> {
            let suite = w::sframe::suite(i.suite, sframe::CipherSuite::from_id)?;
            let ks = sframe::derive_key_salt(suite, i.kid, &i.base_key)?;
            let (key, salt) = sframe_parts(&ks);
            Ok(w::sframe::DeriveOut {
                sframe_secret: sframe::sframe_secret(suite, &i.base_key).to_vec().into(),
                sframe_key: key.into(),
                sframe_salt: salt.into(),
            })
        }
        fn sframe_encrypt(&mut self, i: &w::sframe::EncryptIn) -> Answer<w::sframe::EncryptOut> {
            let (suite, ks) = sframe_key_salt(&i.key)?;
            let h = sframe::Header {
                kid: i.kid,
                ctr: i.ctr,
            };
            Ok(w::sframe::EncryptOut {
                ciphertext: sframe::encrypt(suite, &ks, &h, &i.metadata, &i.plaintext)?.into(),
            })
        }
        fn sframe_decrypt(&mut self, i: &w::sframe::DecryptIn) -> Answer<w::sframe::DecryptOut> {
            let (suite, ks) = sframe_key_salt(&i.key)?;
            let (h, pt) = sframe::decrypt(suite, &ks, &i.metadata, &i.ciphertext)?;
            Ok(w::sframe::DecryptOut {
                kid: h.kid,
                ctr: h.ctr,
                plaintext: pt.into(),
            })
        }
    };
}

pub mod imp;
pub mod replay;
pub mod spec;
