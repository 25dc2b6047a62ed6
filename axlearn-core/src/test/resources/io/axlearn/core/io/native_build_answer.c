int axlearn_native_build_answer(void) { return 42; }
