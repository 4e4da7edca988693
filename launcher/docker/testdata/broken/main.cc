int main() { return this_does_not_compile; }
