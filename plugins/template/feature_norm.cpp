// The idlab template plugin: one metric, `template.feature_norm`, written with the C++ glue.
//
// Copy this folder to start your own plugin (docs/writing-a-plugin.md walks through it).
// Everything a plugin needs comes from one header; it never includes anything from the host.
#include <idlab/plugin.hpp>

#include <cmath>    // std::pow, std::fabs, std::sqrt, std::isfinite
#include <string>
#include <vector>

// Keep your classes out of the global namespace; an anonymous namespace also keeps them out
// of the library's symbol table (only idlab_plugin_entry is exported anyway).
namespace {

// A metric scores evaluation samples. The host calls evaluate() with the inputs the metric
// names (data fields, or "features": the encoder's output) and reads back its values.
class FeatureNorm final : public idlab::Metric {
public:
    // What the host shows in `idlab plugins describe` and validates recipes against.
    // Called once, when the plugin is loaded.
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "template.feature_norm";          // the `kind` a recipe uses to pick it
        s.version = "1.0.0";                     // the component's own version
        s.summary = "mean p-norm of the feature rows";
        s.doc = "For features f [batch, dim] reports mean_i (sum_j |f_ij|^p)^(1/p); "
                "power = 2 gives the mean Euclidean length of the representations.";
        s.devices = IDLAB_DEVICE_CPU;            // evaluate() reads host memory only
        // One parameter: a FLOAT named "power", default 2.0 (a TOML literal), strictly > 0.
        // The host checks type and range before create() runs, so create() never sees 0.
        s.params.push_back(
            idlab::Param::floating("power", "2.0", "the p of the p-norm of each row").above(0.0));
        return s;
    }

    // create(): the host passes the validated config with every default filled in.
    // Throwing here (e.g. idlab::config_error) becomes a clean error that names the key.
    FeatureNorm(const idlab::CreateContext& /*ctx*/, const idlab::Config& config)
        : power_(config.get_float("power")) {
        // Reachable only if someone bypasses the host's range check (e.g. a unit test).
        if (!(power_ > 0.0)) idlab::config_error("power", "power must be > 0");
    }

    // The inputs this metric reads; the host checks they exist before the run starts.
    const std::vector<std::string>& inputs() const override { return inputs_; }
    // The names of the numbers evaluate() writes, in order (columns of metrics.jsonl).
    const std::vector<std::string>& values() const override { return values_; }

    // Writes values().size() numbers into `values`. Tensors are borrowed for this call.
    void evaluate(const idlab_exec_ctx_t& /*ctx*/, const idlab::TensorSet& inputs,
                  double* values) override {
        const DLTensor& f = inputs.get("features");  // throws a clean error when missing
        // Insist on f32 [batch, any width], compact row-major, on the CPU.
        idlab::require_tensor(f, "features", IDLAB_DTYPE_F32, -1, -1);
        const int64_t rows = f.shape[0];
        const int64_t cols = f.shape[1];
        if (rows == 0) idlab::argument_error("features: empty batch");
        const float* data = idlab::data_of<float>(f);

        double total = 0.0;  // accumulate in double: metrics are reported in float64
        for (int64_t i = 0; i < rows; ++i) total += row_norm(data + i * cols, cols);
        const double mean = total / static_cast<double>(rows);
        // A status the host understands, instead of writing NaN into the results.
        if (!std::isfinite(mean))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, "feature_norm: non-finite features");
        values[0] = mean;
    }

private:
    // (sum_j |x_j|^p)^(1/p); p = 2 takes the exact sqrt path.
    double row_norm(const float* row, int64_t n) const {
        double sum = 0.0;
        for (int64_t j = 0; j < n; ++j) {
            const double a = std::fabs(static_cast<double>(row[j]));
            sum += power_ == 2.0 ? a * a : std::pow(a, power_);
        }
        return power_ == 2.0 ? std::sqrt(sum) : std::pow(sum, 1.0 / power_);
    }

    double power_;
    std::vector<std::string> inputs_{"features"};
    std::vector<std::string> values_{"feature_norm"};
};

}  // namespace

// The plugin's one exported function. PluginInfo is {id, name, vendor, version, description};
// then every component class of this plugin. Use the macro once per plugin.
IDLAB_PLUGIN((idlab::PluginInfo{"org.example.template", "Template plugin", "idlab examples",
                                "1.0.0", "the smallest complete idlab plugin: one metric"}),
             FeatureNorm)
