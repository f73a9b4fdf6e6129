//! Writing the console's own objects.

use kube::api::{Api, PostParams};

/// Creates `object` unless one of its name exists, which is left as it is. Returns whether it
/// was made.
pub(crate) async fn create_unless_exists<K>(api: &Api<K>, object: &K) -> Result<bool, kube::Error>
where
    K: kube::Resource + Clone + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.create(&PostParams::default(), object).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
        Err(error) => Err(error),
    }
}
