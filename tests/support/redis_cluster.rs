//! A local Redis Cluster of three masters (no replicas), started with the machine's
//! `redis-server` and joined with `redis-cli --cluster create`: each node on a free
//! loopback port from 7100 up (its cluster bus on the port + 10000), without
//! persistence, in a temporary directory of the cluster's own. Dropping the
//! [`RedisCluster`] kills the nodes and removes the directory.
//!
//! The `services` binary shares one cluster between its trials ([`shared`], each trial
//! on a key prefix of its own) and stops it after the last one ([`stop_shared`]). The
//! runner checks beforehand that `redis-server` and `redis-cli` are on PATH
//! (`services::REDIS_CLUSTER`). A test process killed from outside leaves its nodes
//! running; the next run skips their ports.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The number of masters.
pub const MASTERS: usize = 3;
/// Port candidates start here; a node also uses its port + 10000 (the cluster bus).
const FIRST_PORT: u16 = 7100;
const LAST_PORT: u16 = 7999;
/// How long the nodes may take to answer, and the cluster to reach `cluster_state:ok`.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Three `redis-server` processes forming one cluster; see the module documentation.
pub struct RedisCluster {
    nodes: Vec<(u16, Child)>,
    dir: PathBuf,
}

impl RedisCluster {
    /// Starts the nodes, creates the cluster and waits until every node reports
    /// `cluster_state:ok` and knows the other two. Panics (with the nodes' logs or
    /// `redis-cli`'s output) when it cannot; what was started is stopped again.
    pub fn start() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("portcullis-cluster-{}-{nanos:x}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cluster = RedisCluster {
            nodes: Vec::new(),
            dir,
        };
        while cluster.nodes.len() < MASTERS {
            cluster.start_node();
        }
        let mut create = Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        for port in cluster.ports() {
            create.arg(format!("127.0.0.1:{port}"));
        }
        let output = create
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        cluster.wait_until_ok();
        cluster
    }

    /// The nodes' ports.
    pub fn ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|(port, _)| *port).collect()
    }

    /// The nodes' URLs (`redis://127.0.0.1:<port>`), in the order of [`ports`](Self::ports).
    pub fn urls(&self) -> Vec<String> {
        self.ports()
            .into_iter()
            .map(|port| format!("redis://127.0.0.1:{port}"))
            .collect()
    }

    /// Kills the node on `port` (SIGKILL, no failover: there are no replicas), leaving
    /// its slots unserved.
    pub fn kill(&mut self, port: u16) {
        let (_, child) = self
            .nodes
            .iter_mut()
            .find(|(p, _)| *p == port)
            .unwrap_or_else(|| panic!("no node on port {port}"));
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Per node, the keys matching `pattern` (a `SCAN ... MATCH` glob) that it holds.
    pub fn keys_per_node(&self, pattern: &str) -> Vec<Vec<String>> {
        self.ports()
            .into_iter()
            .map(|port| {
                let mut connection = connect(port).unwrap_or_else(|e| panic!("node {port}: {e}"));
                let mut keys = Vec::new();
                let mut cursor = 0u64;
                loop {
                    let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(1000)
                        .query(&mut connection)
                        .unwrap_or_else(|e| panic!("SCAN on node {port}: {e}"));
                    keys.extend(batch);
                    if next == 0 {
                        return keys;
                    }
                    cursor = next;
                }
            })
            .collect()
    }

    /// Starts one more node on the next free port pair; a port taken meanwhile by
    /// another process (the node exits at start-up) moves on to the next pair.
    fn start_node(&mut self) {
        static NEXT: AtomicU16 = AtomicU16::new(FIRST_PORT);
        loop {
            let port = NEXT.fetch_add(1, Ordering::Relaxed);
            assert!(
                port <= LAST_PORT,
                "no free port pair left in {FIRST_PORT}..={LAST_PORT}"
            );
            let free = |p: u16| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok();
            if !free(port) || !free(port + 10000) {
                continue;
            }
            let log = self.dir.join(format!("node-{port}.log"));
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--cluster-enabled", "yes", "--cluster-config-file"])
                .arg(self.dir.join(format!("nodes-{port}.conf")))
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(&self.dir)
                .arg("--logfile")
                .arg(&log)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn redis-server");
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    assert!(
                        log.contains("Address already in use"),
                        "redis-server on port {port} exited at start-up ({status}):\n{log}"
                    );
                    break; // taken by another process meanwhile: next pair
                }
                if query::<String>(port, &redis::cmd("PING")).is_ok_and(|pong| pong == "PONG") {
                    self.nodes.push((port, child));
                    return;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("redis-server on port {port} did not answer PING within {START_TIMEOUT:?}");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    fn wait_until_ok(&self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let infos: Vec<String> = self
                .ports()
                .into_iter()
                .map(|port| query(port, redis::cmd("CLUSTER").arg("INFO")).unwrap_or_else(|e| e.to_string()))
                .collect();
            let ready = |info: &String| {
                info.lines().any(|l| l.trim() == "cluster_state:ok")
                    && info
                        .lines()
                        .any(|l| l.trim() == format!("cluster_known_nodes:{MASTERS}"))
            };
            if infos.iter().all(ready) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster on {:?} is not ok after {START_TIMEOUT:?}:\n{}",
                self.ports(),
                infos.join("\n---\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.nodes {
            let _ = child.kill();
        }
        for (_, child) in &mut self.nodes {
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn connect(port: u16) -> redis::RedisResult<redis::Connection> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}"))?;
    let connection = client.get_connection_with_timeout(Duration::from_millis(500))?;
    connection.set_read_timeout(Some(Duration::from_secs(2)))?;
    Ok(connection)
}

/// One command to one node (not through the cluster's routing).
fn query<T: redis::FromRedisValue>(port: u16, cmd: &redis::Cmd) -> redis::RedisResult<T> {
    cmd.query(&mut connect(port)?)
}

static SHARED: Mutex<Option<Arc<RedisCluster>>> = Mutex::new(None);

/// The cluster of this test process, started by the first caller (the others wait for
/// it). A start that fails panics in that caller; the next caller tries again.
pub fn shared() -> Arc<RedisCluster> {
    let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(shared.get_or_insert_with(|| {
        let started = Instant::now();
        let cluster = RedisCluster::start();
        eprintln!(
            "redis cluster on {:?} ready in {:?}",
            cluster.ports(),
            started.elapsed()
        );
        Arc::new(cluster)
    }))
}

/// Stops the shared cluster, if one was started (once no trial holds it any more).
pub fn stop_shared() {
    let cluster = SHARED.lock().unwrap_or_else(PoisonError::into_inner).take();
    drop(cluster);
}
