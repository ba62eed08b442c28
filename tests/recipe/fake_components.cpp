#include "fake_components.hpp"

#include <deque>

namespace idlab::test {

namespace {

idlab_param_spec_t spec(const char* name, idlab_param_type_t type, const char* def,
                        uint32_t range = 0, double min = 0, double max = 0,
                        const char* choices = nullptr, const char* doc = "a test parameter") {
    idlab_param_spec_t s{};
    s.struct_size = sizeof(s);
    s.name = name;
    s.type = type;
    s.default_value = def;
    s.range_flags = range;
    s.min = min;
    s.max = max;
    s.choices = choices;
    s.doc = doc;
    return s;
}

// Owns the spec lists the descriptors point into; built once, never moved.
struct Catalog {
    std::deque<std::vector<idlab_param_spec_t>> spec_lists;
    std::deque<idlab_component_desc_t> descs;
    std::vector<const idlab_component_desc_t*> all;

    void add(idlab_kind_t kind, const char* id, uint32_t devices, std::vector<idlab_param_spec_t> specs) {
        spec_lists.push_back(std::move(specs));
        idlab_component_desc_t d{};
        d.struct_size = sizeof(d);
        d.kind = kind;
        d.id = id;
        d.version = "0.0.0";
        d.summary = "a fake component for the recipe tests";
        d.devices = devices;
        d.param_count = static_cast<uint32_t>(spec_lists.back().size());
        d.params = spec_lists.back().data();
        descs.push_back(d);
        all.push_back(&descs.back());
    }
};

const Catalog& catalog() {
    static const Catalog c = [] {
        const uint32_t cpu = IDLAB_DEVICE_CPU, both = IDLAB_DEVICE_CPU | IDLAB_DEVICE_CUDA;
        const uint32_t min_only = IDLAB_RANGE_MIN;
        const uint32_t above = IDLAB_RANGE_MIN | IDLAB_RANGE_MIN_EXCLUSIVE;
        Catalog cat;
        cat.add(IDLAB_KIND_DATA, "core.vmf_clusters", both,
                {spec("latent_dim", IDLAB_PARAM_INT, nullptr, min_only, 2, 0, nullptr,
                      "dimension of the latent sphere's ambient space"),
                 spec("clusters", IDLAB_PARAM_INT, "100", min_only, 1),
                 spec("kappa", IDLAB_PARAM_FLOAT, "10.0", above, 0),
                 spec("distribution", IDLAB_PARAM_STRING, "\"vmf\"", 0, 0, 0, "vmf|laplace|normal")});
        cat.add(IDLAB_KIND_ENCODER, "core.mlp", both,
                {spec("hidden", IDLAB_PARAM_INT_LIST, nullptr, min_only, 1, 0, nullptr,
                      "widths of the hidden layers"),
                 spec("batch_norm", IDLAB_PARAM_BOOL, "true"),
                 spec("slope", IDLAB_PARAM_FLOAT, "0.01", IDLAB_RANGE_MIN | IDLAB_RANGE_MAX, 0, 1)});
        cat.add(IDLAB_KIND_ENCODER, "cpu.only_mlp", cpu, {spec("width", IDLAB_PARAM_INT, "8", min_only, 1)});
        cat.add(IDLAB_KIND_LOSS, "core.cross_entropy", both,
                {spec("target", IDLAB_PARAM_STRING, "\"label\"", 0, 0, 0, "label|index"),
                 spec("normalize_rows", IDLAB_PARAM_BOOL, "false")});
        cat.add(IDLAB_KIND_OPTIMIZER, "core.adam", both,
                {spec("lr", IDLAB_PARAM_FLOAT, "1e-3", above, 0),
                 spec("betas", IDLAB_PARAM_FLOAT_LIST, "[0.9, 0.999]",
                      IDLAB_RANGE_MIN | IDLAB_RANGE_MAX | IDLAB_RANGE_MAX_EXCLUSIVE, 0, 1)});
        cat.add(IDLAB_KIND_METRIC, "core.linear_r2", both, {spec("intercept", IDLAB_PARAM_BOOL, "true")});
        cat.add(IDLAB_KIND_METRIC, "core.head_r2", both, {spec("intercept", IDLAB_PARAM_BOOL, "true")});
        cat.add(IDLAB_KIND_METRIC, "test.broken_default", both,
                {spec("scale", IDLAB_PARAM_FLOAT, "-1.0", min_only, 0)});
        return cat;
    }();
    return c;
}

}  // namespace

const std::vector<const idlab_component_desc_t*>& fake_components() { return catalog().all; }

FakeSource::FakeSource() {
    source.find = [this](idlab_kind_t kind, std::string_view id, std::string_view device) {
        last_device = std::string(device);
        host::ComponentSource::Found found;
        const uint32_t mask = device == "cuda" ? IDLAB_DEVICE_CUDA : IDLAB_DEVICE_CPU;
        for (const idlab_component_desc_t* d : fake_components()) {
            if (id != d->id) continue;
            if (d->kind != kind) {
                found.error = "component '" + std::string(id) + "' has another kind";
                return found;
            }
            if (!(d->devices & mask)) {
                found.error = "component '" + std::string(id) + "' has no implementation for device '" +
                              std::string(device) + "'";
                return found;
            }
            found.desc = d;
            return found;
        }
        found.error = "unknown component '" + std::string(id) + "'";
        return found;
    };
    source.ids_of_kind = [](idlab_kind_t kind) {
        std::vector<std::string> ids;
        for (const idlab_component_desc_t* d : fake_components())
            if (d->kind == kind) ids.emplace_back(d->id);
        return ids;
    };
}

}  // namespace idlab::test
