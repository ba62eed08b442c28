// The core data plugin: synthetic data generating processes.
#include "contrastive_pairs.hpp"
#include "vmf_clusters.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-data", "idlab core data",
                                "idlab", "1.1.0",
                                "Synthetic data generating processes: the paper's clusters on the sphere "
                                "and the InfoNCE pairs of Zimmermann et al. 2021"}),
             idlab::core::VmfClusters, idlab::core::ContrastivePairs)
