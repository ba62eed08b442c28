// SIGINT/SIGTERM handling: the first signal asks the training loop to stop at the next step
// boundary (it then evaluates and writes everything); a second one terminates at once.
#pragma once

namespace idlab::host {

void install_interrupt_handler();
bool interrupt_requested();
void clear_interrupt();

}  // namespace idlab::host
