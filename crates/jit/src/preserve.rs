//! Calls from cold paths that clobber no register.
//!
//! Compiled loops keep their values in machine registers. A runtime helper called on one of
//! their cold paths (the limits' slow path, a collection, an instruction's rare case) is an
//! ordinary `extern "C"` call, which clobbers the caller-saved registers: every value live
//! across it must then sit in a callee-saved register or in a stack slot, and the register
//! allocator, which does not weigh the call by how rarely it runs, spills values that the
//! hot path then loads and stores on every iteration.
//!
//! [`call_preserving`] is a trampoline with Cranelift's `preserve_all` convention: it saves
//! every register the helper may clobber, calls the helper with the usual `extern "C"`
//! convention, writes its result where it was told, and restores everything. A call site
//! that goes through it clobbers nothing, so the allocator leaves the hot path alone; the
//! cold path pays about forty instructions more.
//!
//! `call_preserving(vm, b, c, helper)` calls `helper(vm, b, c)` and stores its (64-bit)
//! result in `vm.jit_out` (`Vm` is the first parameter of every helper). A helper of two
//! parameters ignores the third. x86-64 only; elsewhere [`available`] is false and cold
//! paths call helpers directly. The four arguments are values the code has at hand (the
//! VM, the helper's own arguments, a constant), so the call's fixed registers cost the
//! allocator little.

/// Whether [`call_preserving`] exists on this target.
pub(crate) const fn available() -> bool {
    cfg!(all(target_arch = "x86_64", unix))
}

/// The address of [`call_preserving`] (on targets where it is [`available`]).
#[cfg(all(target_arch = "x86_64", unix))]
pub(crate) fn address() -> usize {
    call_preserving as *const () as usize
}

#[cfg(not(all(target_arch = "x86_64", unix)))]
pub(crate) fn address() -> usize {
    0
}

/// See the module docs. Arguments (System V registers): `rdi` (the VM), `rsi`, `rdx` for
/// the helper, `rcx` the helper's address.
///
/// Saved: the nine caller-saved general registers (`rax`, `rcx`, `rdx`, `rsi`, `rdi`,
/// `r8`-`r11`) and `xmm0`-`xmm15`, the registers Cranelift allocates that a System V call
/// may clobber. The stack stays 16-byte aligned at the inner call: on entry `rsp` is 8 mod
/// 16; `rbp` and nine registers make it 0; 256 bytes of vector registers keep it so.
#[cfg(all(target_arch = "x86_64", unix))]
#[unsafe(naked)]
unsafe extern "C" fn call_preserving() {
    core::arch::naked_asm!(
        "push rbp",
        "mov rbp, rsp",
        "push rax",
        "push rcx",
        "push rdx",
        "push rsi",
        "push rdi",
        "push r8",
        "push r9",
        "push r10",
        "push r11",
        "sub rsp, 264",
        "movdqu [rsp + 0], xmm0",
        "movdqu [rsp + 16], xmm1",
        "movdqu [rsp + 32], xmm2",
        "movdqu [rsp + 48], xmm3",
        "movdqu [rsp + 64], xmm4",
        "movdqu [rsp + 80], xmm5",
        "movdqu [rsp + 96], xmm6",
        "movdqu [rsp + 112], xmm7",
        "movdqu [rsp + 128], xmm8",
        "movdqu [rsp + 144], xmm9",
        "movdqu [rsp + 160], xmm10",
        "movdqu [rsp + 176], xmm11",
        "movdqu [rsp + 192], xmm12",
        "movdqu [rsp + 208], xmm13",
        "movdqu [rsp + 224], xmm14",
        "movdqu [rsp + 240], xmm15",
        // rdi, rsi, rdx are the helper's arguments already.
        "call rcx",
        // The saved rdi (at rbp - 40) is the VM.
        "mov rcx, [rbp - 40]",
        "mov [rcx + {out}], rax",
        "movdqu xmm0, [rsp + 0]",
        "movdqu xmm1, [rsp + 16]",
        "movdqu xmm2, [rsp + 32]",
        "movdqu xmm3, [rsp + 48]",
        "movdqu xmm4, [rsp + 64]",
        "movdqu xmm5, [rsp + 80]",
        "movdqu xmm6, [rsp + 96]",
        "movdqu xmm7, [rsp + 112]",
        "movdqu xmm8, [rsp + 128]",
        "movdqu xmm9, [rsp + 144]",
        "movdqu xmm10, [rsp + 160]",
        "movdqu xmm11, [rsp + 176]",
        "movdqu xmm12, [rsp + 192]",
        "movdqu xmm13, [rsp + 208]",
        "movdqu xmm14, [rsp + 224]",
        "movdqu xmm15, [rsp + 240]",
        "add rsp, 264",
        "pop r11",
        "pop r10",
        "pop r9",
        "pop r8",
        "pop rdi",
        "pop rsi",
        "pop rdx",
        "pop rcx",
        "pop rax",
        "pop rbp",
        "ret",
        out = const std::mem::offset_of!(tandem_vm::vm::Vm, jit_out),
    );
}

#[cfg(test)]
mod tests {
    #[cfg(all(target_arch = "x86_64", unix))]
    #[test]
    fn the_trampoline_calls_the_helper_and_returns_its_result() {
        use tandem_vm::vm::Vm;
        extern "C" fn helper(vm: *mut Vm, b: u32, c: u64) -> u64 {
            // SAFETY: the test passes a live VM.
            let n = unsafe { (*vm).countdown } as u64;
            n * 1000 + b as u64 * 10 + c
        }
        let mut vm = Vm::new(Box::new(std::io::sink()));
        vm.countdown = 7;
        // SAFETY: the trampoline's contract: the VM, two arguments, the helper; called
        // here through the System V convention, which it also satisfies (it preserves
        // more than that convention asks).
        let f: unsafe extern "C" fn(*mut Vm, u32, u64, usize) =
            unsafe { std::mem::transmute(super::address()) };
        unsafe { f(&mut vm, 5, 3, helper as *const () as usize) };
        assert_eq!(vm.jit_out, 7053);
    }
}
