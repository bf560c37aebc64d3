//! An inspecting global allocator for the wipe tests (tests/wipe.rs,
//! tests/seal.rs): it hands out zeroed blocks (so every byte it later reads
//! was written) and, before a block is freed, looks for any 12-byte run of
//! up to two needles, counting the blocks that hold one. `realloc` keeps the
//! trait's default (allocate, copy, free), so a buffer that grows and moves
//! is inspected too. Needles and counts are per thread, so tests running in
//! parallel do not disturb each other. Include it with
//! `#[path = "support/inspecting_alloc.rs"] mod inspecting_alloc;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

/// The length of a run that counts as a copy of the secret.
const RUN: usize = 12;

struct Inspecting;

std::thread_local! {
    // `const` initialisation and types without `Drop`: using them never
    // allocates, so the allocator may read them without recursion.
    static NEEDLES: Cell<[(*const u8, usize); 2]> =
        const { Cell::new([(std::ptr::null(), 0); 2]) };
    static HITS: Cell<u64> = const { Cell::new(0) };
}

/// Whether `block` holds a run of [`RUN`] bytes that also occurs in `needle`.
fn holds_run_of(block: &[u8], needle: &[u8]) -> bool {
    if needle.len() < RUN || block.len() < RUN {
        return false;
    }
    block
        .windows(RUN)
        .any(|w| needle.windows(RUN).any(|n| n == w))
}

fn inspect(block: &[u8]) {
    let _ = NEEDLES.try_with(|needles| {
        let hit = needles.get().iter().any(|&(ptr, len)| {
            // SAFETY: `arm` stores pointers to buffers that the caller keeps
            // alive and unchanged until `disarm` clears them.
            !ptr.is_null() && holds_run_of(block, unsafe { std::slice::from_raw_parts(ptr, len) })
        });
        if hit {
            let _ = HITS.try_with(|h| h.set(h.get() + 1));
        }
    });
}

// SAFETY: every block comes from `System` with the caller's layout and goes
// back to it with the same layout; inspection only reads a block's bytes
// while it is still allocated.
unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Zeroed, so that inspection never reads uninitialised bytes.
        // SAFETY: forwarded with the caller's valid layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes from `alloc`
        // above, every byte initialised (zeroed, then perhaps written).
        inspect(unsafe { std::slice::from_raw_parts(ptr, layout.size()) });
        // SAFETY: `ptr` and `layout` come from this allocator, i.e. from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Inspecting = Inspecting;

/// The blocks freed by `f` on this thread that hold a run of `text` or
/// `bytes`. Both must stay alive and unchanged while `f` runs (they do: they
/// are borrowed).
pub(crate) fn unwiped_blocks<R>(text: &[u8], bytes: &[u8], f: impl FnOnce() -> R) -> u64 {
    NEEDLES.with(|n| n.set([(text.as_ptr(), text.len()), (bytes.as_ptr(), bytes.len())]));
    let before = HITS.with(Cell::get);
    drop(black_box(f()));
    let after = HITS.with(Cell::get);
    NEEDLES.with(|n| n.set([(std::ptr::null(), 0); 2]));
    after - before
}
