// The core metrics plugin: scores of learned representations against the ground truth.
#include "linear_r2.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-metrics", "idlab core metrics",
                                "idlab", "1.0.0",
                                "Identifiability metrics of the paper (linear R²)"}),
             idlab::core::LinearR2)
