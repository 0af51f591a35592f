#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <exception>
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  gv::CliEnv env{&std::cout, &std::cerr};
  env.stdout_is_tty = ::isatty(STDOUT_FILENO) != 0;
  env.stderr_is_tty = ::isatty(STDERR_FILENO) != 0;
  env.fast_exit = true;
  const char* nc = std::getenv("NO_COLOR");
  env.no_color = nc != nullptr && nc[0] != '\0';
  env.now = std::time(nullptr);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    int code = gv::run_cli(args, env);
    std::cout.flush();
    return code;
  } catch (const std::exception& e) {
    // Exceptions are bugs or truly exceptional failures (out of memory); say
    // so plainly instead of aborting, and never exit 0.
    std::cerr << "gouvernante: internal error: " << e.what() << "\n";
    return 1;
  }
}
