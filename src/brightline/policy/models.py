"""No models yet: policy versions and their lifecycle come with the policy lifecycle work."""
