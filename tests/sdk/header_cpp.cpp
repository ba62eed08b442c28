// Compile test: <idlab/plugin.h> and <idlab/plugin.hpp> together (built as C++17 and C++20 with
// -Wall -Wextra -pedantic -Werror). Instantiates the glue for every component kind and the
// entry macro, so warnings inside templates are caught too. Nothing here runs.
#include <idlab/plugin.h>
#include <idlab/plugin.hpp>
#include <idlab/openblas_threads.hpp>  // declared only: nothing here links OpenBLAS
#include <idlab/thread_team.hpp>

namespace {

class CData final : public idlab::Data {
public:
    static idlab::ComponentSpec spec() { return {IDLAB_KIND_DATA, "compile.data", "1.0.0", "s", "", IDLAB_DEVICE_CPU, {}}; }
    CData(const idlab::CreateContext&, const idlab::Config&) {}
    const std::vector<idlab_field_desc_t>& fields() const override { return fields_; }
    void sample(const idlab_exec_ctx_t&, int64_t, const idlab::TensorSet&) override {}

private:
    std::vector<idlab_field_desc_t> fields_;
};

class CEncoder final : public idlab::Encoder {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "compile.encoder";
        s.params.push_back(idlab::Param::int_list("hidden", "[8, 8]", "widths").at_least(1));
        return s;
    }
    CEncoder(const idlab::CreateContext&, const idlab::Config&) {}
    int64_t output_dim() const override { return 1; }
    void forward(const idlab_exec_ctx_t&, const DLTensor&, DLTensor&) override {}
    void backward(const idlab_exec_ctx_t&, const DLTensor&, DLTensor*) override {}
};

class CLoss final : public idlab::Loss {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "compile.loss";
        s.params.push_back(idlab::Param::string("target", "\"label\"", "field").one_of("label|index"));
        return s;
    }
    CLoss(const idlab::CreateContext&, const idlab::Config&) {}
    const std::vector<std::string>& inputs() const override { return inputs_; }
    double forward(const idlab_exec_ctx_t&, const DLTensor&, const idlab::TensorSet&, DLTensor*) override { return 0.0; }

private:
    std::vector<std::string> inputs_;
};

class COptimizer final : public idlab::Optimizer {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "compile.optimizer";
        s.params.push_back(idlab::Param::floating("lr", "1e-3", "step size").above(0).below(1));
        return s;
    }
    COptimizer(const idlab::CreateContext&, const idlab::Config&) {}
    void bind(const idlab_param_view_t*, uint32_t) override {}
    void step(const idlab_exec_ctx_t&) override {}
};

class CMetric final : public idlab::Metric {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "compile.metric";
        s.params.push_back(idlab::Param::boolean("flag", "true", "a flag").make_required());
        return s;
    }
    CMetric(const idlab::CreateContext&, const idlab::Config&) {}
    const std::vector<std::string>& inputs() const override { return names_; }
    const std::vector<std::string>& values() const override { return names_; }
    void evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet&, double*) override {}

private:
    std::vector<std::string> names_;
};

// Instantiates the thread team's templates; never called.
[[maybe_unused]] int use_thread_team() {
    idlab::ThreadTeam team(2);
    int sum = 0;
    team.run([&](idlab::TeamMember& me) {
        me.share(3, [&](int64_t part) {
            if (part == 0) sum = static_cast<int>(idlab::split_evenly(10, 3, part).size());
        });
    });
    return sum;
}

}  // namespace

IDLAB_PLUGIN((idlab::PluginInfo{"compile.test", "n", "v", "0", "d"}), CData, CEncoder, CLoss,
             COptimizer, CMetric)
