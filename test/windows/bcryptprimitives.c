/*
 * For test/windows.test.ts only: Wine before 9.0 has no bcryptprimitives.dll, which Bun's Windows
 * runtime imports for ProcessPrng (Rust's source of random bytes). Windows 10 and later have it. This
 * stands in for it with RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Built with: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *RtlGenRandomFn)(PVOID, ULONG);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  static RtlGenRandomFn generate;
  if (!generate) generate = (RtlGenRandomFn)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
  if (!generate) return FALSE;
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!generate(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
