#include "models.hpp"
int main() {
  Widget w{1, "gear"};
  return w.name.empty() ? 1 : 0;
}
