//! The Lua scripts that make each Redis store operation atomic (one round trip,
//! no read-modify-write across calls). Each touches the one key it is given as
//! `KEYS[1]`, and nothing else, so it runs on a cluster too (on the master of that key).

use std::sync::LazyLock;

use redis::Script;

/// KEYS: rf. ARGV: grant, token hex, ttl ms (already capped by the lifetime), deadline ms.
pub(super) static START: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'c', ARGV[2], 'g', '0', 'r', '0', 'd', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
",
    )
});

/// KEYS: rf. ARGV: generation, presented hex, next hex, ttl ms, now ms. O(1): one
/// hash, whatever the number of rotations. An older generation is a reuse (the family
/// is revoked); a wrong hash or a future generation is merely invalid. The family's
/// expiry never passes its deadline.
pub(super) static ROTATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local f = redis.call('HMGET', KEYS[1], 'u', 'c', 'g', 'r', 'd')
if not f[1] or f[4] ~= '0' then return {'invalid'} end
local g = tonumber(ARGV[1])
local current = tonumber(f[3])
if g < current then
  redis.call('HSET', KEYS[1], 'r', '1')
  return {'reused'}
end
if g ~= current or f[2] ~= ARGV[2] then return {'invalid'} end
local left = tonumber(f[5]) - tonumber(ARGV[5])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'invalid'}
end
local ttl = tonumber(ARGV[4])
if left < ttl then ttl = left end
redis.call('HSET', KEYS[1], 'c', ARGV[3], 'g', string.format('%d', current + 1))
redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl))
return {'rotated', f[1]}
",
    )
});

/// KEYS: rf. ARGV: generation, presented hex. A read: nothing changes.
pub(super) static CURRENT_GRANT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local f = redis.call('HMGET', KEYS[1], 'u', 'c', 'g', 'r')
if not f[1] or f[4] ~= '0' or f[3] ~= ARGV[1] or f[2] ~= ARGV[2] then return false end
return f[1]
",
    )
});

/// KEYS: th. Takes back one failure, never below zero, keeping the window.
pub(super) static THROTTLE_FORGIVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 1
",
    )
});

/// KEYS: rf.
pub(super) static REVOKE_FAMILY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('HGET', KEYS[1], 'r') == '0' then
  redis.call('HSET', KEYS[1], 'r', '1')
  return 1
end
return 0
",
    )
});

/// KEYS: ss. ARGV: user id, csrf token, created (secs.nanos), created ms, idle ms.
pub(super) static SESSION_CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'x', ARGV[2], 'c', ARGV[3], 'm', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
",
    )
});

/// KEYS: ss. ARGV: now ms, idle ms, absolute ms. The idle expiry never goes past the
/// absolute one, so the key disappears by itself when the session is too old.
pub(super) static SESSION_TOUCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local s = redis.call('HMGET', KEYS[1], 'u', 'x', 'c', 'm')
if not s[1] then return false end
local left = tonumber(s[4]) + tonumber(ARGV[3]) - tonumber(ARGV[1])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local idle = tonumber(ARGV[2])
if left < idle then idle = left end
redis.call('PEXPIRE', KEYS[1], idle)
return {s[1], s[2], s[3]}
",
    )
});

/// KEYS: ss. ARGV: now ms, absolute ms. Reads and deletes in one step.
pub(super) static SESSION_TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local s = redis.call('HMGET', KEYS[1], 'u', 'x', 'c', 'm')
if not s[1] then return false end
redis.call('DEL', KEYS[1])
if tonumber(s[4]) + tonumber(ARGV[2]) <= tonumber(ARGV[1]) then return false end
return {s[1], s[2], s[3]}
",
    )
});

/// KEYS: th. ARGV: window ms. The window is set by the first failure only.
pub(super) static THROTTLE_RECORD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
",
    )
});

/// KEYS: th.
pub(super) static THROTTLE_READ: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local n = redis.call('GET', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if not n or ttl < 0 then return {0, 0} end
return {tonumber(n), ttl}
",
    )
});

/// KEYS: co. ARGV: before ms, keep ms. A cut-off only moves forward, and is kept as
/// long as the longest of the asks.
pub(super) static CUT_OFF: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local before = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(ARGV[1]))
local keep = math.max(redis.call('PTTL', KEYS[1]), tonumber(ARGV[2]))
redis.call('SET', KEYS[1], string.format('%d', before), 'PX', string.format('%d', keep))
return 1
",
    )
});
