//! Wire structs that carry their own field documentation: [`crate::wire!`]
//! defines a serde struct and, from the same lines, the `(name,
//! description)` table that documents it in the vector files' headers and
//! the README's op reference. A field name is written once.

/// The documentation of a wire struct's fields, in wire order.
pub trait Fields {
    /// `(name, description)` of every field, in wire order.
    fn fields() -> Vec<(&'static str, &'static str)>;
}

/// The wire name of a field (a raw identifier such as `r#type` is `type`,
/// as serde names it).
pub fn wire_name(ident: &'static str) -> &'static str {
    ident.trim_start_matches("r#")
}

/// Defines a wire struct: `field: Type = "description"` per field, in wire
/// order. An optional field (`Option`, absent when it does not apply) is
/// marked `#[optional]`. A first line `..name: Struct,` flattens the
/// fields of another wire struct in front (shared field groups).
#[macro_export]
macro_rules! wire {
    ($(#[$sm:meta])* pub struct $name:ident {
        $(..$flat:ident : $fty:ty,)?
        $($(#[$opt:ident])? $field:ident : $ty:ty = $doc:literal,)*
    }) => {
        $(#[$sm])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                #[doc = "The fields of the flattened group."]
                #[serde(flatten)]
                pub $flat: $fty,
            )?
            $(
                #[doc = $doc]
                $(
                    #[doc = concat!("(", stringify!($opt), ": absent when it does not apply)")]
                    #[serde(default, skip_serializing_if = "Option::is_none")]
                )?
                pub $field: $ty,
            )*
        }

        impl $crate::fields::Fields for $name {
            fn fields() -> Vec<(&'static str, &'static str)> {
                #[allow(unused_mut)]
                let mut v: Vec<(&'static str, &'static str)> = Vec::new();
                $(v.extend(<$fty as $crate::fields::Fields>::fields());)?
                let own: &[(&'static str, &'static str)] =
                    &[$(($crate::fields::wire_name(stringify!($field)), $doc)),*];
                v.extend_from_slice(own);
                v
            }
        }
    };
}
