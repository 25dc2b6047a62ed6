int axlearn_native_build_broken(void) { return ; 
