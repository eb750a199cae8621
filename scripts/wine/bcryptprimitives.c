/*
 * bcryptprimitives.dll for Wine 8 only: ProcessPrng, forwarded to RtlGenRandom.
 *
 * Why: Rust's standard library (1.78 and later) takes its random numbers on Windows from
 * ProcessPrng in bcryptprimitives.dll, which every Windows 10 and 11 has. Debian 12's Wine 8.0
 * has no such DLL, so any Rust .exe fails to start under it (exit 53, status c0000135).
 * scripts/test-windows builds this file with mingw-w64 and puts the DLL beside casebook.exe and
 * liaison-hub.exe in the Wine test folder, nowhere else: it is never shipped, and a real Windows
 * PC uses its own bcryptprimitives.dll.
 *
 * RtlGenRandom (advapi32's SystemFunction036) is Wine's and Windows' CSPRNG entry point; the
 * book's keys made under Wine are therefore as random as Wine's RNG, which is fine for a test.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Fills `data` with `size` random bytes: TRUE, as on Windows (FALSE only if Wine has no RNG). */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
