//! Stack overflows reported like any crash. Without a sanitizer nothing gives the
//! process an alternate signal stack, so libFuzzer's SIGSEGV handler cannot run on a
//! stack overflow: the process just dies, and the input is lost. libFuzzer keeps
//! `SA_ONSTACK` when it replaces a handler that has it (`SetSigaction`); this sets
//! one up before libFuzzer installs its handlers (the targets' `init`).

use std::sync::Once;

/// Gives the main thread an alternate signal stack and marks SIGSEGV's (default)
/// handler `SA_ONSTACK`, once.
pub fn report_stack_overflows() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        const SIZE: usize = 256 * 1024;
        let stack: &'static mut [u8] = Box::leak(vec![0u8; SIZE].into_boxed_slice());
        // SAFETY: the alternate stack is leaked (lives as long as the process) and the
        // structures are fully initialised; SIG_DFL keeps the default action until
        // libFuzzer installs its own handler on top (keeping SA_ONSTACK).
        unsafe {
            let alt = libc::stack_t {
                ss_sp: stack.as_mut_ptr().cast(),
                ss_flags: 0,
                ss_size: SIZE,
            };
            assert_eq!(libc::sigaltstack(&alt, std::ptr::null_mut()), 0, "sigaltstack");
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = libc::SIG_DFL;
            action.sa_flags = libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(
                libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut()),
                0,
                "sigaction"
            );
        }
    });
}
