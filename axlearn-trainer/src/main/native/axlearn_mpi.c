/*
 * axlearn-jvm's JNI binding to the system MPI (any MPI-3 library: Open MPI, MPICH, Intel MPI).
 *
 * io.axlearn.trainer.distributed.MpiCollective compiles this file with mpicc at first use (never
 * a prebuilt binary) and calls these entry points with direct ByteBuffers only: the address goes
 * straight to MPI, with no copy. A direct buffer from DJL's NDArray.toByteBuffer(true) aliases the
 * tensor, so an in-place all-reduce on it updates the tensor itself.
 *
 * JNI_OnLoad re-opens libmpi with RTLD_GLOBAL: System.load opens this library (and so libmpi)
 * with local symbols, and Open MPI's plugins, which it dlopens later, must resolve libmpi's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static MPI_Comm local_comm = MPI_COMM_NULL;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    Dl_info info;
    if (dladdr((void *)&MPI_Init, &info) && info.dli_fname != NULL) {
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    }
    return JNI_VERSION_1_8;
}

static void throw_mpi(JNIEnv *env, const char *what, int code) {
    char message[MPI_MAX_ERROR_STRING + 128];
    char reason[MPI_MAX_ERROR_STRING];
    int length = 0;
    reason[0] = 0;
    MPI_Error_string(code, reason, &length);
    snprintf(message, sizeof message, "%s failed: %s (MPI error %d)", what, reason, code);
    jclass cls = (*env)->FindClass(env, "io/axlearn/trainer/distributed/CollectiveException");
    if (cls != NULL) {
        (*env)->ThrowNew(env, cls, message);
    }
}

static void *address(JNIEnv *env, jobject buffer) {
    void *p = (*env)->GetDirectBufferAddress(env, buffer);
    if (p == NULL) {
        jclass cls = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
        (*env)->ThrowNew(env, cls, "MPI buffers must be direct ByteBuffers");
    }
    return p;
}

/* Type codes shared with Collective.DType: 0 float32, 1 float64, 2 int32, 3 int64, 4 byte. */
static MPI_Datatype dtype_of(jint code) {
    switch (code) {
    case 0: return MPI_FLOAT;
    case 1: return MPI_DOUBLE;
    case 2: return MPI_INT32_T;
    case 3: return MPI_INT64_T;
    default: return MPI_BYTE;
    }
}

/* Op codes shared with Collective.Op: 0 sum, 1 min, 2 max. */
static MPI_Op op_of(jint code) {
    switch (code) {
    case 1: return MPI_MIN;
    case 2: return MPI_MAX;
    default: return MPI_SUM;
    }
}

#define CHECK(env, what, call)                                                                     \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != MPI_SUCCESS) {                                                                  \
            throw_mpi(env, what, rc_);                                                             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Returns {rank, size, localRank, localSize}; initialises MPI (thread level SERIALIZED) once. */
JNIEXPORT jintArray JNICALL Java_io_axlearn_trainer_distributed_MpiNative_init(JNIEnv *env,
                                                                               jclass cls) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
        if (rc != MPI_SUCCESS) {
            throw_mpi(env, "MPI_Init_thread", rc);
            return NULL;
        }
        /* Errors come back as codes (and so as Java exceptions), not as an abort. */
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    }
    int out[4];
    MPI_Comm_rank(MPI_COMM_WORLD, &out[0]);
    MPI_Comm_size(MPI_COMM_WORLD, &out[1]);
    if (local_comm == MPI_COMM_NULL) {
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, out[0], MPI_INFO_NULL,
                            &local_comm);
    }
    MPI_Comm_rank(local_comm, &out[2]);
    MPI_Comm_size(local_comm, &out[3]);
    jintArray result = (*env)->NewIntArray(env, 4);
    (*env)->SetIntArrayRegion(env, result, 0, 4, out);
    return result;
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_allReduce(
    JNIEnv *env, jclass cls, jobject buffer, jint count, jint dtype, jint op) {
    void *p = address(env, buffer);
    if (p == NULL) return;
    CHECK(env, "MPI_Allreduce",
          MPI_Allreduce(MPI_IN_PLACE, p, count, dtype_of(dtype), op_of(op), MPI_COMM_WORLD));
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_broadcast(
    JNIEnv *env, jclass cls, jobject buffer, jint bytes, jint root) {
    void *p = address(env, buffer);
    if (p == NULL) return;
    CHECK(env, "MPI_Bcast", MPI_Bcast(p, bytes, MPI_BYTE, root, MPI_COMM_WORLD));
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_allGather(
    JNIEnv *env, jclass cls, jobject send, jobject receive, jint bytes) {
    void *s = address(env, send);
    if (s == NULL) return;
    void *r = address(env, receive);
    if (r == NULL) return;
    CHECK(env, "MPI_Allgather",
          MPI_Allgather(s, bytes, MPI_BYTE, r, bytes, MPI_BYTE, MPI_COMM_WORLD));
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_reduceScatter(
    JNIEnv *env, jclass cls, jobject send, jobject receive, jint count, jint dtype, jint op) {
    void *s = address(env, send);
    if (s == NULL) return;
    void *r = address(env, receive);
    if (r == NULL) return;
    CHECK(env, "MPI_Reduce_scatter_block",
          MPI_Reduce_scatter_block(s, r, count, dtype_of(dtype), op_of(op), MPI_COMM_WORLD));
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_barrier(JNIEnv *env,
                                                                            jclass cls) {
    CHECK(env, "MPI_Barrier", MPI_Barrier(MPI_COMM_WORLD));
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_abort(JNIEnv *env, jclass cls,
                                                                          jint code) {
    MPI_Abort(MPI_COMM_WORLD, code);
}

JNIEXPORT void JNICALL Java_io_axlearn_trainer_distributed_MpiNative_finalizeMpi(JNIEnv *env,
                                                                             jclass cls) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) {
        if (local_comm != MPI_COMM_NULL) {
            MPI_Comm_free(&local_comm);
        }
        CHECK(env, "MPI_Finalize", MPI_Finalize());
    }
}
