//! How a [`RedisStore`] reaches Redis: one server through a reconnecting
//! `ConnectionManager`, or a Redis Cluster through a `ClusterConnection` (which routes
//! each command to the master of its key's slot and follows the cluster's changes), and
//! the hard time bound of every call, whichever it is.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisError, RedisFuture, Value};

use super::RedisStore;
use crate::store::StoreError;

/// One connection attempt gives up after this long (a dead host that drops packets).
const CONNECTION_TIMEOUT: Duration = Duration::from_millis(500);
/// A command without an answer fails after this long.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Hard bound of one store call, whatever the connection does meanwhile.
const CALL_TIMEOUT: Duration = Duration::from_millis(1500);

/// A single server or a cluster; both are cheap to clone and share their connections.
#[derive(Clone)]
pub(super) enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(conn) => conn.req_packed_command(cmd),
            Connection::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(conn) => conn.get_db(),
            Connection::Cluster(conn) => conn.get_db(),
        }
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[user:password@]host[:port][/db]`, or `rediss://`
    /// when the `redis` crate's TLS features are enabled) with
    /// [`RedisStore::manager_config`], and uses keys starting with `prefix:`.
    ///
    /// Fails with a [`StoreError`] when the URL is invalid or Redis cannot be reached.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), portcullis::StoreError> {
    /// let store = portcullis::RedisStore::connect("redis://127.0.0.1:6379/0", "myapp").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| error("invalid Redis URL", &e))?;
        let manager = ConnectionManager::new_with_config(client, Self::manager_config());
        let conn = bounded("connect", manager).await?;
        Ok(Self::new(conn, prefix))
    }

    /// A store over a connection manager you configured (for example with TLS or
    /// RESP3); start from [`RedisStore::manager_config`] so that calls against a dead
    /// server fail fast.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
    /// use portcullis::RedisStore;
    /// use portcullis::redis::{Client, aio::ConnectionManager};
    ///
    /// let client = Client::open("redis://127.0.0.1:6379")?;
    /// let manager = ConnectionManager::new_with_config(client, RedisStore::manager_config()).await?;
    /// let store = RedisStore::new(manager, "myapp");
    /// # Ok(()) }
    /// ```
    pub fn new(manager: ConnectionManager, prefix: &str) -> Self {
        Self::over(Connection::Single(manager), prefix)
    }

    /// Connects to the Redis Cluster that `nodes` belong to (URLs as in
    /// [`RedisStore::connect`], with the same credentials; one reachable node is
    /// enough, the others are discovered) and uses keys starting with `prefix:`.
    ///
    /// A connection attempt to a node gives up after 500 ms, a command after 1 s, as with
    /// one server. Each key carries a hash tag (see the module documentation), so every
    /// store operation runs on the one master that owns its key, and the keys spread
    /// over all masters. Fails with a [`StoreError`] when a URL is invalid or no node
    /// answers with the cluster's slots.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), portcullis::StoreError> {
    /// use portcullis::RedisStore;
    ///
    /// let nodes = ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379", "redis://10.0.0.3:6379"];
    /// let store = RedisStore::connect_cluster(&nodes, "myapp").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_cluster(nodes: &[&str], prefix: &str) -> Result<Self, StoreError> {
        let client = ClusterClient::builder(nodes.iter().copied())
            .connection_timeout(CONNECTION_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .retries(3)
            .min_retry_wait(50)
            .max_retry_wait(200)
            .build()
            .map_err(|e| error("invalid cluster nodes", &e))?;
        let conn = bounded("connect cluster", client.get_async_connection()).await?;
        Ok(Self::cluster(conn, prefix))
    }

    /// A store over a cluster connection you configured (for example with TLS,
    /// credentials or replicas for reads). Give its `ClusterClientBuilder` a
    /// `connection_timeout` and a `response_timeout`, as [`RedisStore::connect_cluster`]
    /// does: each store call fails after 1.5 s anyway, but a slow node then costs less.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use portcullis::RedisStore;
    /// use portcullis::redis::cluster::ClusterClient;
    ///
    /// let client = ClusterClient::builder(["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"])
    ///     .connection_timeout(Duration::from_millis(500))
    ///     .response_timeout(Duration::from_secs(1))
    ///     .build()?;
    /// let store = RedisStore::cluster(client.get_async_connection().await?, "myapp");
    /// # Ok(()) }
    /// ```
    pub fn cluster(conn: ClusterConnection, prefix: &str) -> Self {
        Self::over(Connection::Cluster(conn), prefix)
    }

    fn over(conn: Connection, prefix: &str) -> Self {
        RedisStore {
            conn,
            prefix: Arc::from(prefix),
        }
    }

    /// The connection-manager settings [`RedisStore::connect`] uses: a connection
    /// attempt gives up after 500 ms, a command after 1 s, one quick retry; a dropped
    /// connection is re-established in the background on the next call.
    ///
    /// ```
    /// let config = portcullis::RedisStore::manager_config();
    /// assert_eq!(config.response_timeout(), Some(std::time::Duration::from_secs(1)));
    /// ```
    pub fn manager_config() -> ConnectionManagerConfig {
        ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECTION_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(200))
    }
}

/// Runs one Redis call with the hard time bound, mapping its errors.
pub(super) async fn bounded<T>(
    what: &'static str,
    call: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(error(what, &e)),
        Err(_) => Err(StoreError::new(format!(
            "redis {what}: no answer within {CALL_TIMEOUT:?}"
        ))),
    }
}

fn error(what: &str, e: &RedisError) -> StoreError {
    // Redis errors name the command or the server's message, never our arguments.
    StoreError::new(format!("redis {what}: {e}"))
}
