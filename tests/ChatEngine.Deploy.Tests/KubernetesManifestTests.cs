using System.Collections;
using System.Globalization;
using ChatEngine.Server;
using Xunit;

namespace ChatEngine.Deploy.Tests;

/// <summary>deploy/k8s/: every object is well formed and the objects fit together (labels, ports, probes, scaling, sizing,
/// session affinity, shared data protection keys, the model volume and the Job that fills it).</summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = RepoFiles.Path("deploy", "k8s");

    private static readonly IReadOnlyList<(string File, Dictionary<string, object> Object)> Objects =
        [.. Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => MiniYaml.ParseDocuments(File.ReadAllText(f)).Select(o => (Path.GetFileName(f), o)))];

    private static Dictionary<string, object> Only(string kind) => Objects.Single(o => o.Object.Text("kind") == kind).Object;

    private static Dictionary<string, object> Claim(string name) =>
        Objects.Single(o => o.Object.Text("kind") == "PersistentVolumeClaim" && o.Object.Text("metadata.name") == name).Object;

    private static Dictionary<string, object> Deployment => Only("Deployment");
    private static Dictionary<string, object> Container => Deployment.Map("spec.template.spec.containers[0]");
    private static Dictionary<string, object> PodLabels => Deployment.Map("spec.template.metadata.labels");

    [Fact]
    public void Every_object_has_api_version_kind_and_name_and_kustomize_lists_every_file()
    {
        Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job", "PersistentVolumeClaim", "PersistentVolumeClaim", "PodDisruptionBudget", "Service"],
            Objects.Select(o => o.Object.Text("kind")).Order(StringComparer.Ordinal));
        foreach (var (file, o) in Objects)
        {
            Assert.Matches("^(v1|apps/v1|batch/v1|autoscaling/v2|policy/v1|networking.k8s.io/v1)$", o.Text("apiVersion"));
            Assert.False(string.IsNullOrEmpty(o.Text("metadata.name")), file);
            Assert.Equal("chatengine", o.Map("metadata.labels")["app.kubernetes.io/name"]);
        }
        var listed = MiniYaml.ParseDocuments(File.ReadAllText(Path.Combine(Folder, "kustomization.yaml")))[0].List("resources").Cast<string>();
        Assert.Equal(Objects.Select(o => o.File).Distinct().Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_deployment_selects_its_pods_and_probes_health_on_the_named_port()
    {
        foreach (var (key, value) in Deployment.Map("spec.selector.matchLabels")) Assert.Equal(value, PodLabels[key]);
        var port = Assert.Single(Container.List("ports").Cast<Dictionary<string, object>>());
        Assert.Equal("http", port.Text("name"));
        Assert.Equal(Settings["CHATENGINE_PORT"], port.Text("containerPort"));
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            Assert.Equal("/health", Container.Text($"{probe}.httpGet.path"));
            Assert.Equal("http", Container.Text($"{probe}.httpGet.port"));
        }
        // the startup probe covers model loading, during which /health answers 503, so liveness cannot restart a loading pod
        var startupSeconds = int.Parse(Container.Text("startupProbe.periodSeconds"), CultureInfo.InvariantCulture) * int.Parse(Container.Text("startupProbe.failureThreshold"), CultureInfo.InvariantCulture);
        Assert.True(startupSeconds >= 120, $"startup probe allows only {startupSeconds}s");
        Assert.Equal("true", Deployment.Text("spec.template.spec.securityContext.runAsNonRoot"));
        Assert.Equal("true", Container.Text("securityContext.readOnlyRootFilesystem"));
    }

    [Fact]
    public void The_model_volume_is_mounted_read_only_where_the_settings_point()
    {
        var mount = Mount(Container, "models");
        Assert.Equal("true", mount.Text("readOnly"));
        Assert.StartsWith(mount.Text("mountPath") + "/", Settings["CHATENGINE_MODELPATH"]);
        Assert.Equal("chatengine-models", Volume(Deployment, "models").Text("persistentVolumeClaim.claimName"));
    }

    [Fact]
    public void The_model_claim_is_written_by_the_pull_job_and_read_by_replicas_on_any_node_where_the_settings_point()
    {
        var job = Only("Job");
        var claim = Claim(Volume(Deployment, "models").Text("persistentVolumeClaim.claimName"));
        // one writer (the Job) and read-only replicas spread over nodes: ReadWriteOnce would pin them all to one node
        Assert.Equal(["ReadWriteMany"], claim.List("spec.accessModes").Cast<string>());
        var jobPod = job.Map("spec.template.spec");
        var puller = jobPod.Map("containers[0]");
        var jobMount = Mount(puller, "models");
        Assert.False(jobMount.TryGetValue("readOnly", out var readOnly) && (string)readOnly == "true", "the Job must write the model volume");
        Assert.Equal(claim.Text("metadata.name"), Volume(job, "models").Text("persistentVolumeClaim.claimName"));
        Assert.False(Volume(job, "models").Map("persistentVolumeClaim").ContainsKey("readOnly"));
        Assert.Equal("true", Volume(Deployment, "models").Text("persistentVolumeClaim.readOnly"));

        // pull stores OWNER/REPO:FILE as STORE/OWNER/REPO/FILE, STORE being CHATENGINE_MODELS, the mounted volume
        var store = puller.List("env").Cast<Dictionary<string, object>>().Single(e => e.Text("name") == "CHATENGINE_MODELS").Text("value");
        Assert.Equal(jobMount.Text("mountPath"), store);
        var args = puller.List("args").Cast<string>().ToArray();
        Assert.Equal("pull", args[0]);
        var (repository, file) = (args[1].Split(':')[0], args[1].Split(':')[1]);
        Assert.Equal($"{Mount(Container, "models").Text("mountPath")}/{repository}/{file}", Settings["CHATENGINE_MODELPATH"]);
        // the Job's pods are not serving replicas
        Assert.DoesNotContain(Only("Service").Map("spec.selector"),
            entry => job.Map("spec.template.metadata.labels").TryGetValue(entry.Key, out var value) && Equals(value, entry.Value));
    }

    [Fact]
    public void The_data_protection_keys_are_on_a_volume_every_replica_writes_where_the_server_keeps_them()
    {
        var options = ServerConfiguration.Load(null, new Dictionary<string, string?>(), new Hashtable(Settings));

        var mount = Container.List("volumeMounts").Cast<Dictionary<string, object>>().Single(m => m.Text("mountPath") == options.DataProtectionKeysFolder);
        Assert.False(mount.TryGetValue("readOnly", out var readOnly) && (string)readOnly == "true", "the key ring is written when keys rotate");
        var claim = Claim(Volume(Deployment, mount.Text("name")).Text("persistentVolumeClaim.claimName"));
        Assert.Equal(["ReadWriteMany"], claim.List("spec.accessModes").Cast<string>());
    }

    [Fact]
    public void The_service_and_the_ingress_keep_a_browser_on_one_pod()
    {
        var service = Only("Service");
        Assert.Equal("ClientIP", service.Text("spec.sessionAffinity"));
        Assert.True(int.Parse(service.Text("spec.sessionAffinityConfig.clientIP.timeoutSeconds"), CultureInfo.InvariantCulture) >= 3600);

        var ingress = Only("Ingress");
        var annotations = ingress.Map("metadata.annotations");
        Assert.Equal("cookie", annotations["nginx.ingress.kubernetes.io/affinity"]);
        Assert.Equal("persistent", annotations["nginx.ingress.kubernetes.io/affinity-mode"]);
        Assert.False(string.IsNullOrEmpty((string)annotations["nginx.ingress.kubernetes.io/session-cookie-name"]));
        Assert.Equal("nginx", ingress.Text("spec.ingressClassName"));
        var backend = ingress.Map("spec.rules[0].http.paths[0].backend.service");
        Assert.Equal(service.Text("metadata.name"), backend.Text("name"));
        Assert.Equal(service.Text("spec.ports[0].name"), backend.Text("port.name"));
    }

    [Fact]
    public void The_settings_are_valid_server_options()
    {
        Assert.Equal(Only("ConfigMap").Text("metadata.name"), Container.Text("envFrom[0].configMapRef.name"));

        var options = ServerConfiguration.Load(null, new Dictionary<string, string?>(), new Hashtable(Settings));

        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(Settings["CHATENGINE_MODELPATH"], options.ModelPath);
    }

    /// <summary>
    /// The sizing rule (README.md, Kubernetes): memory request = model file + slots x context x KV bytes per token +
    /// 384 MiB (runtime, scratch, HTTP), rounded up to 512 MiB; limit = request + 512 MiB; CPU request = limit = threads.
    /// </summary>
    [Fact]
    public void Resources_follow_the_sizing_rule_from_the_model_size()
    {
        const long MiB = 1 << 20;
        var modelBytes = long.Parse(Annotation("chatengine.io/model-file-bytes"), CultureInfo.InvariantCulture);
        var kvPerToken = long.Parse(Annotation("chatengine.io/kv-bytes-per-token"), CultureInfo.InvariantCulture);
        var slots = long.Parse(Settings["CHATENGINE_PARALLEL"], CultureInfo.InvariantCulture);
        var context = long.Parse(Settings["CHATENGINE_CONTEXTSIZE"], CultureInfo.InvariantCulture);
        var needed = modelBytes + slots * context * kvPerToken + 384 * MiB;
        var request = (needed + 512 * MiB - 1) / (512 * MiB) * 512 * MiB;

        Assert.Equal(request, Quantity(Container.Text("resources.requests.memory")));
        Assert.Equal(request + 512 * MiB, Quantity(Container.Text("resources.limits.memory")));
        Assert.Equal(Settings["CHATENGINE_THREADS"], Container.Text("resources.requests.cpu"));
        Assert.Equal(Settings["CHATENGINE_THREADS"], Container.Text("resources.limits.cpu"));
    }

    [Fact]
    public void The_service_reaches_the_pods_http_port()
    {
        var service = Only("Service");
        foreach (var (key, value) in service.Map("spec.selector")) Assert.Equal(value, PodLabels[key]);
        Assert.Equal("http", service.Text("spec.ports[0].targetPort"));
    }

    [Fact]
    public void The_autoscaler_scales_the_deployment_on_cpu_and_queue_depth_above_the_disruption_budget()
    {
        var hpa = Only("HorizontalPodAutoscaler");
        Assert.Equal("Deployment", hpa.Text("spec.scaleTargetRef.kind"));
        Assert.Equal(Deployment.Text("metadata.name"), hpa.Text("spec.scaleTargetRef.name"));
        var metrics = hpa.List("spec.metrics").Cast<Dictionary<string, object>>().ToList();
        Assert.Contains(metrics, m => m.Text("type") == "Resource" && m.Text("resource.name") == "cpu");
        Assert.Contains(metrics, m => m.Text("type") == "Pods" && m.Text("pods.metric.name") == "chatengine_queue_depth");
        var min = int.Parse(hpa.Text("spec.minReplicas"), CultureInfo.InvariantCulture);
        Assert.True(min <= int.Parse(hpa.Text("spec.maxReplicas"), CultureInfo.InvariantCulture));

        var pdb = Only("PodDisruptionBudget");
        foreach (var (key, value) in pdb.Map("spec.selector.matchLabels")) Assert.Equal(value, PodLabels[key]);
        Assert.True(int.Parse(pdb.Text("spec.minAvailable"), CultureInfo.InvariantCulture) < min, "a node drain must be able to evict one replica");
        Assert.Equal(min.ToString(CultureInfo.InvariantCulture), Deployment.Text("spec.replicas"));
    }

    private static Dictionary<string, string> Settings => Only("ConfigMap").Map("data").ToDictionary(e => e.Key, e => (string)e.Value);

    private static Dictionary<string, object> Mount(Dictionary<string, object> container, string volume) =>
        container.List("volumeMounts").Cast<Dictionary<string, object>>().Single(m => m.Text("name") == volume);

    private static Dictionary<string, object> Volume(Dictionary<string, object> workload, string name) =>
        workload.List("spec.template.spec.volumes").Cast<Dictionary<string, object>>().Single(v => v.Text("name") == name);

    private static string Annotation(string name) => (string)Deployment.Map("metadata.annotations")[name];

    private static long Quantity(string text) => text.EndsWith("Gi", StringComparison.Ordinal) ? long.Parse(text[..^2], CultureInfo.InvariantCulture) << 30
        : text.EndsWith("Mi", StringComparison.Ordinal) ? long.Parse(text[..^2], CultureInfo.InvariantCulture) << 20
        : long.Parse(text, CultureInfo.InvariantCulture);
}
