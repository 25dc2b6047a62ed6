package io.axlearn.trainer.distributed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A data-parallel training job on a cluster, and what launches it there: an {@code mpirun} line, a
 * Slurm batch script, a Kubeflow {@code MPIJob} (mpi-operator, {@code kubeflow.org/v2beta1}) and a
 * Kubeflow Trainer {@code TrainJob} ({@code trainer.kubeflow.org/v1alpha1}, on an MPI training
 * runtime). Every rank runs the same {@code train} command; ranks find each other through MPI.
 *
 * <p>Recovery: MPI jobs are not elastic, so one dead rank ends the job; each manifest restarts the
 * whole job ({@code --requeue}, {@code backoffLimit}) and the restarted job resumes from the newest
 * complete checkpoint in the trainer directory, which must be on storage every node sees (a shared
 * file system; on Kubernetes the volume claim {@code volumeClaim} at {@code mountPath}).
 *
 * @param name job name (Kubernetes object name: lower-case letters, digits and {@code -})
 * @param nodes machines
 * @param procsPerNode ranks per machine (one per GPU, or per CPU socket)
 * @param threadsPerProc intra-op threads of each rank
 * @param gpusPerNode GPUs to request per machine (0: none)
 * @param image container image holding the axlearn checkout (Kubernetes only; may be null)
 * @param volumeClaim persistent volume claim mounted on every pod (Kubernetes; null for none)
 * @param mountPath where the claim is mounted
 * @param restarts how often the whole job may restart before it fails
 * @param program what every rank runs: {@code ./axlearn train ...}
 */
public record ClusterLaunch(
        String name,
        int nodes,
        int procsPerNode,
        int threadsPerProc,
        int gpusPerNode,
        String image,
        String volumeClaim,
        String mountPath,
        int restarts,
        List<String> program) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@+-]+");
    private static final Pattern MPI_PLUGIN = Pattern.compile("[a-z][a-z0-9_]*");

    public ClusterLaunch {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name must be lower-case letters, digits and '-' (a Kubernetes name), got "
                            + name);
        }
        if (nodes < 1 || procsPerNode < 1 || threadsPerProc < 1 || gpusPerNode < 0) {
            throw new IllegalArgumentException(
                    "nodes, procsPerNode and threadsPerProc must be at least 1 and gpusPerNode"
                            + " not negative");
        }
        program = List.copyOf(program);
    }

    /** Ranks in all. */
    public int ranks() {
        return nodes * procsPerNode;
    }

    /** The mpirun command line, for a host file {@code hosts} listing the nodes. */
    public String mpirunLine() {
        List<String> options =
                new ArrayList<>(List.of("-npernode", Integer.toString(procsPerNode)));
        if (nodes > 1) {
            options.addAll(List.of("--hostfile", "hosts"));
        }
        return shell(mpirun(false, options).command());
    }

    private MpiRun mpirun(boolean asRoot, List<String> options) {
        return new MpiRun(ranks(), threadsPerProc, false, asRoot, options, program);
    }

    /**
     * A Slurm batch script: {@code sbatch} it; srun starts the ranks through its MPI plugin {@code
     * srunMpi} ({@code srun --mpi=list} names those a Slurm has): {@code pmix} for Open MPI
     * (Debian's and Ubuntu's Open MPI are built with PMIx and without Slurm's PMI-2 client), {@code
     * pmi2} for MPICH, Intel MPI and MVAPICH, {@code cray_shasta} for Cray MPICH.
     */
    public String sbatchScript(String srunMpi) {
        if (!MPI_PLUGIN.matcher(srunMpi).matches()) {
            throw new IllegalArgumentException(
                    "the srun MPI plugin must be a name such as pmix or pmi2, got '"
                            + srunMpi
                            + "'");
        }
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Generated by axlearn launch --backend slurm. Submit with: sbatch ")
                .append(name)
                .append(".sbatch\n");
        s.append("#SBATCH --job-name=").append(name).append('\n');
        s.append("#SBATCH --nodes=").append(nodes).append('\n');
        s.append("#SBATCH --ntasks-per-node=").append(procsPerNode).append('\n');
        s.append("#SBATCH --cpus-per-task=").append(threadsPerProc).append('\n');
        if (gpusPerNode > 0) {
            s.append("#SBATCH --gpus-per-node=").append(gpusPerNode).append('\n');
        }
        s.append("#SBATCH --output=").append(name).append("-%j.out\n");
        s.append("#SBATCH --open-mode=append\n");
        s.append(
                "# A node failure or scontrol requeue (preemption) requeues the job: the ranks save"
                        + " on SIGTERM\n# and the job resumes from the newest checkpoint.\n");
        s.append("#SBATCH --requeue\n");
        s.append("set -euo pipefail\n");
        for (Map.Entry<String, String> e : environment().entrySet()) {
            s.append("export ").append(e.getKey()).append('=').append(shell(List.of(e.getValue())));
            s.append('\n');
        }
        s.append("# One dead rank ends the step at once instead of leaving the others waiting.\n");
        s.append("srun --mpi=")
                .append(srunMpi)
                .append(" --kill-on-bad-exit=1 --cpu-bind=none ")
                .append(shell(program))
                .append('\n');
        return s.toString();
    }

    /** What every rank's environment needs (the settings {@link MpiRun} passes with -x/-mca). */
    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OMP_NUM_THREADS", Integer.toString(threadsPerProc));
        env.put("MKL_NUM_THREADS", Integer.toString(threadsPerProc));
        env.put("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
        env.put("OMPI_MCA_opal_signal", "");
        return env;
    }

    /** A Kubeflow mpi-operator {@code MPIJob}: one launcher pod runs mpirun over the workers. */
    public GenericKubernetesResource mpiJob() {
        Map<String, Object> launcher = new LinkedHashMap<>();
        launcher.put("replicas", 1);
        launcher.put("restartPolicy", "OnFailure");
        List<String> command =
                mpirun(true, List.of("-npernode", Integer.toString(procsPerNode))).command();
        launcher.put("template", pod("launcher", command, false));
        Map<String, Object> worker = new LinkedHashMap<>();
        worker.put("replicas", nodes);
        worker.put("restartPolicy", "OnFailure");
        worker.put("template", pod("worker", List.of("/usr/sbin/sshd", "-De"), true));
        Map<String, Object> replicas = new LinkedHashMap<>();
        replicas.put("Launcher", launcher);
        replicas.put("Worker", worker);
        Map<String, Object> runPolicy = new LinkedHashMap<>();
        runPolicy.put("cleanPodPolicy", "Running");
        runPolicy.put("backoffLimit", restarts);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("slotsPerWorker", procsPerNode);
        spec.put("runPolicy", runPolicy);
        spec.put("mpiImplementation", "OpenMPI");
        spec.put("mpiReplicaSpecs", replicas);
        return resource("kubeflow.org/v2beta1", "MPIJob", spec);
    }

    /**
     * A Kubeflow Trainer {@code TrainJob} on the MPI training runtime {@code runtime} (a {@code
     * ClusterTrainingRuntime} with {@code mlPolicy.mpi}, which writes the host file and runs mpirun
     * on the first node).
     */
    public GenericKubernetesResource trainJob(String runtime) {
        Map<String, Object> runtimeRef = new LinkedHashMap<>();
        runtimeRef.put("name", runtime);
        runtimeRef.put("apiGroup", "trainer.kubeflow.org");
        runtimeRef.put("kind", "ClusterTrainingRuntime");
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("image", image);
        trainer.put("command", mpirun(true, List.of()).command());
        trainer.put("numNodes", nodes);
        trainer.put("numProcPerNode", procsPerNode);
        trainer.put("env", env());
        trainer.put("resourcesPerNode", resources());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("runtimeRef", runtimeRef);
        spec.put("trainer", trainer);
        if (volumeClaim != null) {
            Map<String, Object> override = new LinkedHashMap<>();
            override.put("targetJobs", List.of(Map.of("name", "node")));
            override.put("volumes", List.of(volume()));
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("name", "node");
            container.put("volumeMounts", List.of(volumeMount()));
            override.put("containers", List.of(container));
            spec.put("podSpecOverrides", List.of(override));
        }
        return resource("trainer.kubeflow.org/v1alpha1", "TrainJob", spec);
    }

    private GenericKubernetesResource resource(
            String apiVersion, String kind, Map<String, Object> spec) {
        GenericKubernetesResource r =
                new GenericKubernetesResourceBuilder()
                        .withApiVersion(apiVersion)
                        .withKind(kind)
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels("app.kubernetes.io/name", "axlearn")
                        .endMetadata()
                        .build();
        r.setAdditionalProperty("spec", spec);
        return r;
    }

    private PodTemplateSpec pod(String role, List<String> command, boolean worker) {
        ContainerBuilder container =
                new ContainerBuilder()
                        .withName(role)
                        .withImage(image)
                        .withCommand(command)
                        .withEnv(env());
        if (worker) {
            container.withResources(resources());
        }
        if (volumeClaim != null && worker) {
            container.withVolumeMounts(volumeMount());
        }
        Container built = container.build();
        PodTemplateSpecBuilder pod =
                new PodTemplateSpecBuilder().withNewSpec().withContainers(built).endSpec();
        if (volumeClaim != null && worker) {
            pod.editSpec().withVolumes(volume()).endSpec();
        }
        return pod.build();
    }

    private List<EnvVar> env() {
        List<EnvVar> env = new ArrayList<>();
        environment().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        return env;
    }

    private ResourceRequirements resources() {
        ResourceRequirementsBuilder r =
                new ResourceRequirementsBuilder()
                        .addToRequests(
                                "cpu",
                                new Quantity(Integer.toString(procsPerNode * threadsPerProc)));
        if (gpusPerNode > 0) {
            r.addToLimits("nvidia.com/gpu", new Quantity(Integer.toString(gpusPerNode)));
        }
        return r.build();
    }

    private Volume volume() {
        return new VolumeBuilder()
                .withName("runs")
                .withNewPersistentVolumeClaim()
                .withClaimName(volumeClaim)
                .endPersistentVolumeClaim()
                .build();
    }

    private VolumeMount volumeMount() {
        return new VolumeMountBuilder().withName("runs").withMountPath(mountPath).build();
    }

    private static final ObjectMapper YAML =
            new ObjectMapper(
                            YAMLFactory.builder()
                                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                                    // "16" stays a string: Kubernetes wants strings in command and
                                    // env.
                                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                                    .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                                    .build())
                    .disable(SerializationFeature.WRITE_EMPTY_JSON_ARRAYS);

    /** {@code resource} as YAML, as {@code kubectl apply -f} takes it. */
    public static String yaml(GenericKubernetesResource resource) {
        try {
            return YAML.writeValueAsString(resource);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + resource.getKind(), e);
        }
    }

    /** {@code words} as one POSIX shell line, quoting what needs it. */
    static String shell(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add(PLAIN.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'");
        }
        return String.join(" ", out);
    }
}
