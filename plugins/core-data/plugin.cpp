// The core data plugin: synthetic data generating processes.
#include "vmf_clusters.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-data", "idlab core data",
                                "idlab", "1.0.0",
                                "Synthetic data generating processes of the paper (vMF clusters)"}),
             idlab::core::VmfClusters)
