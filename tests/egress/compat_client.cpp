// A client for supervisor_test that connects through the 32-bit system call
// entry (int 0x80) of a 64-bit process: seccomp sees those calls with the
// i386 architecture and i386 numbers, and a filter written only for x86-64
// would let them through. Usage: compat_client PORT -- connects a TCP socket
// to 127.0.0.1:PORT with i386 connect (362) and, as a second try, with
// socketcall(SYS_CONNECT). Exit: 0 both connected, 10 + errno of the first
// failure, 3 when this kernel has no 32-bit entry (ia32 emulation off).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

long int80(long nr, long a, long b, long c) {
#if defined(__x86_64__)
  long ret;
  asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory", "r8", "r9", "r10", "r11");
  return ret;
#else
  (void)nr, (void)a, (void)b, (void)c;
  return -ENOSYS;
#endif
}

constexpr long kI386Getpid = 20, kI386Connect = 362, kI386Socketcall = 102, kSysConnect = 3;

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  if (int80(kI386Getpid, 0, 0, 0) != static_cast<long>(::getpid())) return 3;
  // The 32-bit entry takes 32-bit pointers: the address and the socketcall
  // arguments live below 4 GiB.
  void* low = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED) return 4;
  auto* sa = static_cast<sockaddr_in*>(low);
  sa->sin_family = AF_INET;
  sa->sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto ptr = static_cast<long>(reinterpret_cast<uintptr_t>(sa));

  const int a = ::socket(AF_INET, SOCK_STREAM, 0);
  long r = int80(kI386Connect, a, ptr, sizeof *sa);
  if (r < 0) return 10 + static_cast<int>(-r);

  const int b = ::socket(AF_INET, SOCK_STREAM, 0);
  auto* args = reinterpret_cast<uint32_t*>(static_cast<char*>(low) + 64);
  args[0] = static_cast<uint32_t>(b);
  args[1] = static_cast<uint32_t>(ptr);
  args[2] = sizeof *sa;
  r = int80(kI386Socketcall, kSysConnect, static_cast<long>(reinterpret_cast<uintptr_t>(args)), 0);
  if (r < 0) return 10 + static_cast<int>(-r);
  return 0;
}
